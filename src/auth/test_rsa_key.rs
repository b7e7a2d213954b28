//! Fixed 2048-bit RSA test key (generated once with openssl; test-only, never trusted).

/// PKCS#1 DER private key, base64 (standard alphabet).
pub(super) const RSA_PKCS1_DER_B64: &str = concat!(
    "MIIEpAIBAAKCAQEA0PNqVhN2lPNNGad99tHeqrkuqJjpNONsaRfyMGl2JmJfGPTfAcB/Z8ZOhYdd",
    "m4g1Ckdr3mcyDYfCoqk1RElenm+gPxepClkBZStDiJjyQIg4xNDkdTIcCzUSCr2KyvOz5baFMCbA",
    "68wWwcckrqNbJC7XKGzxfj1lMz+MYP6CMyM1oCQqIYzXk3/vkOOEth38B07IMBk4S2i3j7d7HfVL",
    "LKUSRJVkytaQ88OiQOCqeElBhjVdywFTDs+oJjNOPCD6hmx5ar/bvzpzEg6/2OiKQoZ3JwPfAJzY",
    "esw8j8kCVJL5636KoEyob+M/cqdxQBC9v6qLwR1GCq4z0XwSE0NspQIDAQABAoIBAA+CnhhVGgaM",
    "9+JpXy2Q3xMzq027CgaRwiSb8S+cSHepci8vUBV4dUyd+Qqq5W0r42oHqq9n4ByGgRFjd4+B1brz",
    "hMTiK/tXZ4XbvAfZ+JOHORWM/wRfC5teXWA8OR7/D5HD5meQXN4z+FV6g5PODvAk5PY8fgGVq5su",
    "AqzZf48tkav/khKggJTSWWPgDjoY7sCEipKR2j5BavWik461gfOmeujRvkYqixGUi1ZLdrE8rYZq",
    "XsI+FQUyKjKNWtSJZQaivuc4Y6RuNbfbO5S21NZQUTbeOx9dzXeYAbQuYhSkGy/EJj85ugt+FsQM",
    "MYSnqrwm3DDYvCGhrdqPm+f0lJECgYEA/bO06vrc1dWyX1x4HysLFbOwI+V8VHVCxDSyKjHhg9G1",
    "KWnoIbBr+znqQGYDkZeLBVePufh5yoVo4kJZlcfeZUOT2RXSVFJCldA6bushw06ZG9tSfhGlwIXm",
    "cAzdcyoaOrIaV3k82aVx35aKuEX9wcr7+PtbfZogfWrml/yV7/UCgYEA0tfwKEM+te70+vPrTkaQ",
    "FfC5im8wqqEOTFbLvGP9U4yJ0SGvI3R29yAhS+tfIWRwrj0ZAfkVoRIo/EqRl9VTTQVJ7C1W8Ofd",
    "bSOtvxXuy2sO/qRunPVjo2NQ824CyrijJOz9otAhETQGWd3gkgsgqLBOTpaBR+nz5Rdmk/Z5C/EC",
    "gYEAj9Xm6KI5ufJiIramU+Vvb2pknrVo++lPZTYLHOkS1k16zHQC67a+QbzgFoq/0zd71heCoQlC",
    "45Mnl7/OUqDyca8Sj61ThgLtRUq9Fk2w4q4ZGDYMWvVeZ/yCXVyt4LEqFcUMMjPGUA8AtKcBFuB3",
    "sfuHR+4aPOe5K+IDwn+t8lECgYBSYCWnRWaJ5Ft4dLY5dd4zhEKpcHm+IICamMquxw4hh2YM/DEW",
    "FBmqwbXgmIwpWrmfiaVsnOmzbYnv0B6ECMer7uYLzUcLhjt/uZHXd3U9qo1INew1jLYqDtKA2Tlk",
    "BLFQ6vrJkrForD/S+poT1R8kaQWfNLQ76Y7tsa/VHVX7sQKBgQC5inqCer4d9RsAIlQJkKr45QoB",
    "6B6tee7s6qRX90K42dVac7zDjb2YPwTaY8Ff4eVtwrsMt1QhZ1m9MZqVOpmtnqRBA7Wii8N9HwUG",
    "VOREyydQxrxK+WIOfSYqs2h7nVi9tWHpLa6L0RSTvhFEZx19vYWBW7GNeovNdD4ms4yDCQ==",
);

/// Public modulus `n`, base64url.
pub(super) const RSA_N: &str = concat!(
    "0PNqVhN2lPNNGad99tHeqrkuqJjpNONsaRfyMGl2JmJfGPTfAcB_Z8ZOhYddm4g1Ckdr3mcyDYfC",
    "oqk1RElenm-gPxepClkBZStDiJjyQIg4xNDkdTIcCzUSCr2KyvOz5baFMCbA68wWwcckrqNbJC7X",
    "KGzxfj1lMz-MYP6CMyM1oCQqIYzXk3_vkOOEth38B07IMBk4S2i3j7d7HfVLLKUSRJVkytaQ88Oi",
    "QOCqeElBhjVdywFTDs-oJjNOPCD6hmx5ar_bvzpzEg6_2OiKQoZ3JwPfAJzYesw8j8kCVJL5636K",
    "oEyob-M_cqdxQBC9v6qLwR1GCq4z0XwSE0NspQ",
);

/// Public exponent `e`, base64url.
pub(super) const RSA_E: &str = "AQAB";
