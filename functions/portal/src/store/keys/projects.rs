//! The project keys (docs/projects.md): a project and its ticket rows under the company, so one
//! Query reads the project page; the number pointer; the two list indexes; and the names of the
//! per-phase ticket counters on the project item. Part of `keys`, which re-exports them.

use super::*;
use crate::domain::projects::Project;

fn project_sk(number: u64) -> String {
    format!("PROJECT#{number:010}")
}

/// A project (its plan inside it); its ticket rows sort right after it.
pub fn project(company: &CompanyId, number: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: project_sk(number),
    }
}

/// The sort-key prefix of a project and its ticket rows: one Query reads the project page.
pub fn project_prefix(number: u64) -> String {
    project_sk(number)
}

/// A ticket's row in its project.
pub fn project_ticket(company: &CompanyId, project: u64, ticket: u64) -> Key {
    Key {
        pk: company_partition(company),
        sk: format!("{}#T#{ticket:010}", project_sk(project)),
    }
}

/// Which company project `number` belongs to (staff open projects by number alone).
pub fn project_number(number: u64) -> Key {
    Key {
        pk: format!("PROJECTNO#{number}"),
        sk: "PROJECTNO".into(),
    }
}

/// A list of projects, one tab (open or closed) of it, soonest expected completion first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProjectList {
    /// A company's projects: gsi1.
    Company { company: CompanyId, open: bool },
    /// Every company's projects (the MSP's view): gsi2.
    Queue { open: bool },
}

/// A company's projects in one tab.
pub const PROJECT_TABS_INDEX: Index = INDEXES[0];
/// Every company's projects in one tab.
pub const PROJECT_QUEUE_INDEX: Index = INDEXES[1];

fn project_tab(open: bool) -> &'static str {
    if open { "open" } else { "closed" }
}

impl ProjectList {
    /// Both lists `project` is in.
    pub fn of(project: &Project) -> [ProjectList; 2] {
        let open = project.status.is_open();
        [
            ProjectList::Company {
                company: project.company_id.clone(),
                open,
            },
            ProjectList::Queue { open },
        ]
    }

    pub fn index(&self) -> Index {
        match self {
            Self::Company { .. } => PROJECT_TABS_INDEX,
            Self::Queue { .. } => PROJECT_QUEUE_INDEX,
        }
    }

    pub fn partition(&self) -> String {
        match self {
            Self::Company { company, open } => format!("PRJ#{company}#{}", project_tab(*open)),
            Self::Queue { open } => format!("PRJQ#{}", project_tab(*open)),
        }
    }

    /// By expected completion, then company and number.
    pub fn sort_key(&self, project: &Project) -> String {
        match self {
            Self::Company { .. } => {
                format!("{}#{:010}", project.expected_completion, project.number)
            }
            Self::Queue { .. } => format!(
                "{}#{}#{:010}",
                project.expected_completion, project.company_id, project.number
            ),
        }
    }

    /// The list's name, which its cursors are bound to.
    pub fn name(&self) -> String {
        format!("{}#{}", self.index().name, self.partition())
    }
}

/// Open projects by their next milestone: a company's (gsi3) and every company's (gsi4). A project
/// without one (closed, or every phase completed) is in neither.
pub const PROJECT_MILESTONES_INDEX: Index = INDEXES[2];
pub const PROJECT_MILESTONE_QUEUE_INDEX: Index = INDEXES[3];

/// The milestone index entries of `project`: `(index, partition, sort key)`.
pub fn project_milestones(project: &Project) -> Vec<(Index, String, String)> {
    let Some(m) = crate::domain::projects::next_milestone(project) else {
        return Vec::new();
    };
    vec![
        (
            PROJECT_MILESTONES_INDEX,
            project_milestone_partition(Some(&project.company_id)),
            format!("{}#{:010}", m.date, project.number),
        ),
        (
            PROJECT_MILESTONE_QUEUE_INDEX,
            project_milestone_partition(None),
            format!("{}#{}#{:010}", m.date, project.company_id, project.number),
        ),
    ]
}

/// Where a company's (or, for `None`, every company's) open projects are, by next milestone.
pub fn project_milestone_partition(company: Option<&CompanyId>) -> String {
    match company {
        Some(c) => format!("PRJM#{c}"),
        None => "PRJMQ".into(),
    }
}

/// The count of a company's (or every company's) open projects.
pub fn open_projects(company: Option<&CompanyId>) -> Key {
    match company {
        Some(c) => Key {
            pk: company_partition(c),
            sk: "STATS#P#OPEN".into(),
        },
        None => Key {
            pk: "PSTATS".into(),
            sk: "OPEN".into(),
        },
    }
}

/// The project item's counter of the tickets in phase `phase` (`ADD`ed as tickets come and go).
pub fn phase_total(phase: &str) -> String {
    format!("{PHASE_TOTAL_PREFIX}{phase}")
}

/// The project item's counter of the closed tickets in phase `phase`.
pub fn phase_closed(phase: &str) -> String {
    format!("{PHASE_CLOSED_PREFIX}{phase}")
}

pub const PHASE_TOTAL_PREFIX: &str = "pt_";
pub const PHASE_CLOSED_PREFIX: &str = "pc_";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn project_keys_are_pinned() {
        let co = CompanyId::parse("acme-dental").unwrap();
        assert_eq!(project(&co, 7).sk, "PROJECT#0000000007");
        assert!(
            project_ticket(&co, 7, 1042)
                .sk
                .starts_with(&project_prefix(7))
        );
        assert_eq!(
            project_ticket(&co, 7, 1042).sk,
            "PROJECT#0000000007#T#0000001042"
        );
        assert!(!project(&co, 70).sk.starts_with(&project_prefix(7)));
        assert_eq!(project_number(7).pk, "PROJECTNO#7");
        let list = ProjectList::Company {
            company: co,
            open: true,
        };
        assert_eq!(list.name(), "gsi1#PRJ#acme-dental#open");
        assert_eq!(
            ProjectList::Queue { open: false }.name(),
            "gsi2#PRJQ#closed"
        );
        assert_eq!(phase_total("ab12cd34"), "pt_ab12cd34");
    }
}
