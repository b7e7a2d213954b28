//! A StructureDefinition snapshot compiled into a tree of [`Node`]s: children by path, slices
//! attached to the element they slice (<https://hl7.org/fhir/R4/profiling.html#slicing>).

use serde_json::Value;

use super::node::Node;

/// A compiled profile (or extension definition); `nodes[0]` is the root.
#[derive(Debug, Clone)]
pub(super) struct Profile {
    pub(super) url: String,
    /// The constrained type (`Patient`, `Extension`, `Address`).
    pub(super) type_name: String,
    pub(super) nodes: Vec<Node>,
}

impl Profile {
    /// Compiles the elements of a snapshot, in snapshot (depth-first) order; `None` when there
    /// is no root element.
    pub(super) fn from_elements(url: &str, type_name: &str, elements: &[Value]) -> Option<Profile> {
        let mut nodes: Vec<Node> = elements.iter().filter_map(Node::parse).collect();
        if nodes.first().is_none_or(|r| r.path.contains('.')) {
            return None;
        }
        link(&mut nodes);
        Some(Profile {
            url: url.to_owned(),
            type_name: type_name.to_owned(),
            nodes,
        })
    }

    /// The node at `index` (always valid for indexes taken from the tree).
    pub(super) fn node(&self, index: usize) -> Option<&Node> {
        self.nodes.get(index)
    }

    /// The first non-slice child of `parent` named `name`.
    pub(super) fn child(&self, parent: usize, name: &str) -> Option<usize> {
        let node = self.nodes.get(parent)?;
        node.children
            .iter()
            .copied()
            .find(|&c| self.nodes.get(c).is_some_and(|n| n.name == name))
    }
}

fn parent_path(path: &str) -> &str {
    path.rsplit_once('.').map_or("", |(p, _)| p)
}

/// Links children and slices with a stack over the depth-first snapshot order: a slice belongs
/// to the closest element with the same path that is not a slice; other elements to the
/// closest element (or slice) whose path is their parent path.
fn link(nodes: &mut [Node]) {
    let mut stack: Vec<usize> = vec![0];
    let mut slice_base: Vec<Option<usize>> = vec![None; nodes.len()];
    for i in 1..nodes.len() {
        let path = nodes[i].path.clone();
        if nodes[i].slice_name.is_some() {
            while let Some(&top) = stack.last() {
                if nodes[top].path == path || stack.len() == 1 {
                    break;
                }
                stack.pop();
            }
            let Some(&top) = stack.last() else { continue };
            if nodes[top].path != path {
                continue; // a slice without its base element: ignored
            }
            let base = slice_base[top].unwrap_or(top);
            if slice_base[top].is_some() {
                stack.pop();
            }
            slice_base[i] = Some(base);
            nodes[base].slices.push(i);
            stack.push(i);
            continue;
        }
        let parent = parent_path(&path);
        while stack.len() > 1 && stack.last().is_some_and(|&t| nodes[t].path != parent) {
            stack.pop();
        }
        if let Some(&top) = stack.last().filter(|&&t| nodes[t].path == parent) {
            nodes[top].children.push(i);
            stack.push(i);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn slices_and_children_are_linked() {
        let els = [
            json!({"path": "Patient"}),
            json!({"path": "Patient.identifier", "slicing": {"rules": "open"}}),
            json!({"path": "Patient.identifier.system"}),
            json!({"path": "Patient.identifier", "sliceName": "A"}),
            json!({"path": "Patient.identifier.system", "fixedUri": "a"}),
            json!({"path": "Patient.identifier", "sliceName": "B"}),
            json!({"path": "Patient.identifier.system", "fixedUri": "b"}),
            json!({"path": "Patient.name"}),
        ];
        let p = Profile::from_elements("u", "Patient", &els).unwrap();
        assert_eq!(p.nodes[0].children, [1, 7]);
        assert_eq!(p.nodes[1].children, [2]);
        assert_eq!(p.nodes[1].slices, [3, 5]);
        assert_eq!(p.nodes[3].children, [4]);
        assert_eq!(p.nodes[5].children, [6]);
        assert_eq!(p.child(5, "system"), Some(6));
        assert!(Profile::from_elements("u", "X", &[json!({"path": "X.a"})]).is_none());
    }
}
