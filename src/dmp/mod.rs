//! The French DMP layer over validation: Carnet's DMP profiles (`profiles/`, compiled in),
//! the profile applying to each resource type, and the identifier rules `FHIRPath` cannot
//! express (NIR key, `idNat_PS` form). Facts: `docs/fr-dmp-research.md` §1–3.

mod issues;
mod nir;
mod profiles;
mod report;

pub use issues::{IDNPS_SYSTEM, INS_SYSTEMS, check_idnps, dmp_issues};
pub use nir::{NirError, check_nir, nir_key};
pub use profiles::{
    PROFILE_BASE, PROFILE_FILES, PROVIDE_PROFILES, dmp_profile_for, dmp_profile_of, load_profiles,
};
pub use report::{dmp_report, requested_report};
