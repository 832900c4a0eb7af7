//! Projects in the store (docs/projects.md): the project item (its plan inside it, its list-index
//! attributes, and a ticket counter pair per phase that ticket writes `ADD` to), its ticket rows,
//! the number pointer, and the writes that keep rows and counters with every ticket change.

use super::*;
use crate::domain::projects::{Counts, Project, ProjectRef, ProjectTicket, TicketCount};
use keys::ProjectList;

/// The attribute a project's list search reads: its name in lower case.
const SEARCH: &str = "search";

/// The per-phase ticket counters of a project item, taken out of it.
fn take_counts(item: &mut Item) -> Counts {
    let mut counts = Counts::new();
    let names: Vec<String> = item
        .keys()
        .filter(|k| {
            k.starts_with(keys::PHASE_TOTAL_PREFIX) || k.starts_with(keys::PHASE_CLOSED_PREFIX)
        })
        .cloned()
        .collect();
    for name in names {
        let value = item
            .remove(&name)
            .and_then(|v| v.as_n().ok().and_then(|n| n.parse::<i64>().ok()))
            .unwrap_or(0);
        let value = u32::try_from(value.max(0)).unwrap_or(u32::MAX);
        if let Some(phase) = name.strip_prefix(keys::PHASE_TOTAL_PREFIX) {
            counts.entry(phase.to_owned()).or_default().total = value;
        } else if let Some(phase) = name.strip_prefix(keys::PHASE_CLOSED_PREFIX) {
            counts.entry(phase.to_owned()).or_default().closed = value;
        }
    }
    counts
}

fn project_from(mut item: Item) -> anyhow::Result<(Project, Counts)> {
    let counts = take_counts(&mut item);
    item.remove(SEARCH);
    Ok((from_item(item)?, counts))
}

/// Changes of the per-phase counters, by attribute name.
#[derive(Default)]
struct Deltas(Vec<(String, i64)>);

impl Deltas {
    fn add(&mut self, attr: String, delta: i64) {
        match self.0.iter_mut().find(|(a, _)| *a == attr) {
            Some((_, d)) => *d += delta,
            None => self.0.push((attr, delta)),
        }
    }
    fn count(&mut self, phase: &str, closed: bool, sign: i64) {
        self.add(keys::phase_total(phase), sign);
        self.add(keys::phase_closed(phase), sign * i64::from(closed));
    }
}

impl Store {
    /// A project's item with its list-index attributes and search attribute.
    fn project_item(project: &Project) -> anyhow::Result<Item> {
        let mut item = to_item(project, &keys::project(&project.company_id, project.number))?;
        for list in ProjectList::of(project) {
            list.index()
                .put(&mut item, list.partition(), list.sort_key(project));
        }
        for (index, partition, sort) in keys::project_milestones(project) {
            index.put(&mut item, partition, sort);
        }
        item.insert(SEARCH.into(), s(project.name.to_lowercase()));
        Ok(item)
    }

    /// The open-project counts (the company's and every company's) moving by `delta`.
    fn open_project_counts(
        &self,
        company: &CompanyId,
        delta: i64,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        if delta == 0 {
            return Ok(Vec::new());
        }
        [Some(company), None]
            .into_iter()
            .map(|c| self.stats_add(keys::open_projects(c), "open", delta))
            .collect()
    }

    /// The home page's project figures for a company (or, `None`, every company): how many
    /// projects are open, and the open project whose next milestone comes first. A GetItem and a
    /// one-item Query, however many projects there are.
    pub async fn project_summary(
        &self,
        company: Option<&CompanyId>,
    ) -> anyhow::Result<(u64, Option<Project>)> {
        #[derive(Deserialize)]
        struct Open {
            open: i64,
        }
        let open: Option<Open> = self
            .get(&keys::open_projects(company))
            .await
            .context("reading the open-project count")?;
        let index = match company {
            Some(_) => keys::PROJECT_MILESTONES_INDEX,
            None => keys::PROJECT_MILESTONE_QUEUE_INDEX,
        };
        let out = self
            .index_query(
                index,
                &keys::project_milestone_partition(company),
                false,
                None,
                1,
            )
            .send()
            .await
            .context("reading the next milestone")?;
        let first = out
            .items
            .unwrap_or_default()
            .into_iter()
            .next()
            .map(project_from)
            .transpose()?
            .map(|(p, _)| p);
        Ok((
            open.map_or(0, |o| u64::try_from(o.open).unwrap_or(0)),
            first,
        ))
    }

    /// Store a new project with its number pointer; with `once = (user, key, expiry)`, remember
    /// the key in the same transaction. `Ok(false)` when the key was used meanwhile.
    pub async fn create_project(
        &self,
        project: &Project,
        once: Option<(&UserId, &str, OffsetDateTime)>,
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let mut parts = self.new_project_parts(project)?;
        if let Some((user, key, expires)) = once {
            let at = ProjectRef {
                company_id: project.company_id.clone(),
                number: project.number,
            };
            let mut item = to_item(&at, &keys::idempotency_of(user, "project", key))?;
            item.insert(keys::TTL.into(), epoch(expires));
            parts.push(self.put_new(item)?);
        }
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "storing project").await
    }

    /// A new project as transaction parts: it, its number pointer (each on condition they are
    /// new) and the open-project counts it moves. Creating a project and approving a quote use them.
    pub(super) fn new_project_parts(
        &self,
        project: &Project,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let at = ProjectRef {
            company_id: project.company_id.clone(),
            number: project.number,
        };
        let mut parts = vec![
            self.put_new(Self::project_item(project)?)?,
            self.put_new(to_item(&at, &keys::project_number(project.number))?)?,
        ];
        parts.extend(
            self.open_project_counts(&project.company_id, i64::from(project.status.is_open()))?,
        );
        Ok(parts)
    }

    /// For a project of `company`: the company, the MSP's `manager` and the client's `contact`
    /// (each if named), in one BatchGetItem.
    pub async fn project_people(
        &self,
        company: &CompanyId,
        msp: &CompanyId,
        manager: Option<&UserId>,
        contact: Option<&UserId>,
    ) -> anyhow::Result<(Option<Company>, Option<User>, Option<User>)> {
        let mut wanted = vec![keys::company(company)];
        let manager = manager.map(|m| keys::user(msp, m));
        let contact = contact.map(|c| keys::user(company, c));
        wanted.extend(manager.iter().cloned());
        // BatchGetItem refuses a key asked for twice (only if the MSP were the project's company,
        // which the handlers refuse before asking).
        wanted.extend(
            contact
                .iter()
                .filter(|c| Some(*c) != manager.as_ref())
                .cloned(),
        );
        let mut found = self
            .batch_get(&wanted)
            .await
            .context("reading the project's company and people")?;
        let company = found.remove("COMPANY").map(from_item).transpose()?;
        let user = |key: Option<Key>| -> anyhow::Result<Option<User>> {
            match key {
                Some(key) => found.get(&key.sk).cloned().map(from_item).transpose(),
                None => Ok(None),
            }
        };
        let manager_user = user(manager.clone())?;
        let contact_user = user(contact)?;
        Ok((company, manager_user, contact_user))
    }

    /// The project an earlier create with this user's `Idempotency-Key` made, if any.
    pub async fn idempotent_project(
        &self,
        user: &UserId,
        key: &str,
    ) -> anyhow::Result<Option<ProjectRef>> {
        self.get(&keys::idempotency_of(user, "project", key))
            .await
            .context("reading idempotency key")
    }

    /// The company project `number` belongs to.
    pub async fn project_company(&self, number: u64) -> anyhow::Result<Option<CompanyId>> {
        let at: Option<ProjectRef> = self
            .get(&keys::project_number(number))
            .await
            .context("finding project")?;
        Ok(at.map(|a| a.company_id))
    }

    /// A project with its phase counters (not its ticket rows): one GetItem.
    pub async fn get_project(
        &self,
        company: &CompanyId,
        number: u64,
    ) -> anyhow::Result<Option<(Project, Counts)>> {
        let out = self
            .db
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::project(company, number).to_item()))
            .consistent_read(true)
            .send()
            .await
            .context("reading project")?;
        out.item.map(project_from).transpose()
    }

    /// A project with its ticket rows, in one Query of its key range (pages followed; a project of
    /// 500 tickets is one page).
    pub async fn project_detail(
        &self,
        company: &CompanyId,
        number: u64,
    ) -> anyhow::Result<Option<(Project, Vec<ProjectTicket>)>> {
        let mut project = None;
        let mut tickets = Vec::new();
        let mut start = None;
        loop {
            let out = self
                .prefix_query(company, &keys::project_prefix(number))
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .context("reading project")?;
            let project_sk = keys::project(company, number).sk;
            for item in out.items.unwrap_or_default() {
                if item.get(keys::SK).and_then(|v| v.as_s().ok()) == Some(&project_sk) {
                    project = Some(project_from(item)?.0);
                } else {
                    tickets.push(from_item(item)?);
                }
            }
            match out.last_evaluated_key {
                Some(key) if project.is_some() => start = Some(key),
                _ => return Ok(project.map(|p| (p, tickets))),
            }
        }
    }

    /// Save a changed project if it is still at `before.version`: every field set (its ticket
    /// counters untouched). `removed` phases must still have no tickets.
    pub async fn save_project(
        &self,
        project: &Project,
        before: &Project,
        removed: &[String],
        audit: Option<&AuditEntry>,
    ) -> anyhow::Result<bool> {
        let key = keys::project(&project.company_id, project.number);
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.to_item()));
        let mut sets = Vec::new();
        for (i, (name, value)) in Self::project_item(project)?
            .into_iter()
            .filter(|(name, _)| name != keys::PK && name != keys::SK)
            .enumerate()
        {
            sets.push(format!("#a{i} = :a{i}"));
            update = update
                .expression_attribute_names(format!("#a{i}"), name)
                .expression_attribute_values(format!(":a{i}"), value);
        }
        let mut condition = vec!["#version = :previous".to_owned()];
        for (i, phase) in removed.iter().enumerate() {
            condition.push(format!(
                "(attribute_not_exists(#gone{i}) OR #gone{i} = :zero)"
            ));
            update =
                update.expression_attribute_names(format!("#gone{i}"), keys::phase_total(phase));
        }
        if !removed.is_empty() {
            update = update.expression_attribute_values(":zero", n(0));
        }
        // A project that has no next milestone any more leaves the milestone indexes.
        let milestones = keys::project_milestones(project);
        let mut removes = Vec::new();
        if milestones.is_empty() {
            for (i, index) in [
                keys::PROJECT_MILESTONES_INDEX,
                keys::PROJECT_MILESTONE_QUEUE_INDEX,
            ]
            .into_iter()
            .enumerate()
            {
                removes.push(format!("#rp{i}, #rs{i}"));
                update = update
                    .expression_attribute_names(format!("#rp{i}"), index.pk)
                    .expression_attribute_names(format!("#rs{i}"), index.sk);
            }
        }
        let remove = if removes.is_empty() {
            String::new()
        } else {
            format!(" REMOVE {}", removes.join(", "))
        };
        let update = update
            .update_expression(format!("SET {}{remove}", sets.join(", ")))
            .condition_expression(condition.join(" AND "))
            .expression_attribute_names("#version", "version")
            .expression_attribute_values(":previous", n(before.version))
            .build()?;
        let mut parts = vec![TransactWriteItem::builder().update(update).build()];
        parts.extend(self.open_project_counts(
            &project.company_id,
            i64::from(project.status.is_open()) - i64::from(before.status.is_open()),
        )?);
        parts.extend(audit.map(|a| self.audit_part(a)).transpose()?);
        self.transact(parts, "saving project").await
    }

    /// One page (≤ `limit` items read) of project list `list`, with their counters; with `words`,
    /// only projects whose name holds each of them (a filter on that one page).
    pub async fn list_projects(
        &self,
        list: &ProjectList,
        words: &[String],
        start: Option<Item>,
        limit: i32,
    ) -> anyhow::Result<Page<(Project, Counts)>> {
        let mut query = self.index_query(list.index(), &list.partition(), false, start, limit);
        if !words.is_empty() {
            let filter: Vec<String> = (0..words.len())
                .map(|i| format!("contains(#search, :w{i})"))
                .collect();
            query = query
                .filter_expression(filter.join(" AND "))
                .expression_attribute_names("#search", SEARCH);
            for (i, word) in words.iter().enumerate() {
                query = query.expression_attribute_values(format!(":w{i}"), s(word.clone()));
            }
        }
        let out = query.send().await.context("listing projects")?;
        Ok(Page {
            items: out
                .items
                .unwrap_or_default()
                .into_iter()
                .map(project_from)
                .collect::<anyhow::Result<_>>()?,
            last_key: out.last_evaluated_key,
        })
    }

    /// The writes that keep `ticket`'s row in its project, and the project's phase counters, with
    /// a change of the ticket from `before` (`None`: a new ticket). With `plan`, the project must
    /// still be at that version (its phases as the caller checked them).
    pub(crate) fn project_ticket_parts(
        &self,
        ticket: &Ticket,
        before: Option<&Ticket>,
        plan: Option<u64>,
    ) -> anyhow::Result<Vec<TransactWriteItem>> {
        let Some(at) = &ticket.project else {
            return Ok(Vec::new());
        };
        let row = ProjectTicket {
            number: ticket.number,
            summary: ticket.summary.clone(),
            status: ticket.status,
            phase_id: at.phase_id.clone(),
            contact_id: ticket.contact_id.clone(),
        };
        let mut deltas = Deltas::default();
        if let Some(was) = before.and_then(|b| b.project.as_ref().map(|p| (b, p))) {
            deltas.count(&was.1.phase_id, !was.0.status.is_open(), -1);
        }
        deltas.count(&at.phase_id, row.closed(), 1);
        let deltas: Vec<(String, i64)> = deltas.0.into_iter().filter(|(_, d)| *d != 0).collect();
        let key = keys::project(&ticket.company_id, at.number);
        let mut condition = vec!["attribute_exists(#pk)"];
        if plan.is_some() {
            condition.push("#version = :plan");
        }
        let mut parts = vec![
            TransactWriteItem::builder()
                .put(
                    Put::builder()
                        .table_name(&self.table)
                        .set_item(Some(to_item(
                            &row,
                            &keys::project_ticket(&ticket.company_id, at.number, ticket.number),
                        )?))
                        .build()?,
                )
                .build(),
        ];
        let plan_value = plan.map(n);
        if deltas.is_empty() {
            if plan.is_some() {
                parts.push(
                    TransactWriteItem::builder()
                        .condition_check(
                            ConditionCheck::builder()
                                .table_name(&self.table)
                                .set_key(Some(key.to_item()))
                                .condition_expression(condition.join(" AND "))
                                .expression_attribute_names("#pk", keys::PK)
                                .expression_attribute_names("#version", "version")
                                .set_expression_attribute_values(
                                    plan_value.map(|v| HashMap::from([(":plan".to_owned(), v)])),
                                )
                                .build()?,
                        )
                        .build(),
                );
            }
            return Ok(parts);
        }
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key.to_item()))
            .expression_attribute_names("#pk", keys::PK);
        let mut adds = Vec::new();
        for (i, (attr, delta)) in deltas.into_iter().enumerate() {
            adds.push(format!("#c{i} :c{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), attr)
                .expression_attribute_values(format!(":c{i}"), n(delta));
        }
        if let Some(v) = plan_value {
            update = update
                .expression_attribute_names("#version", "version")
                .expression_attribute_values(":plan", v);
        }
        parts.push(
            TransactWriteItem::builder()
                .update(
                    update
                        .update_expression(format!("ADD {}", adds.join(", ")))
                        .condition_expression(condition.join(" AND "))
                        .build()?,
                )
                .build(),
        );
        Ok(parts)
    }

    /// Bulk load (benchmarks): projects with their pointers, and ticket rows, in BatchWriteItem
    /// calls; counters set from the rows. No conditions: for numbers nobody else is using.
    pub async fn load_projects(
        &self,
        projects: &[Project],
        tickets: &[(CompanyId, u64, ProjectTicket)],
    ) -> anyhow::Result<()> {
        let mut items = Vec::new();
        for project in projects {
            let mut item = Self::project_item(project)?;
            let rows: Vec<ProjectTicket> = tickets
                .iter()
                .filter(|(c, p, _)| *c == project.company_id && *p == project.number)
                .map(|(_, _, t)| t.clone())
                .collect();
            for (phase, TicketCount { total, closed }) in crate::domain::projects::count(&rows) {
                item.insert(keys::phase_total(&phase), n(total));
                item.insert(keys::phase_closed(&phase), n(closed));
            }
            items.push(item);
            items.push(to_item(
                &ProjectRef {
                    company_id: project.company_id.clone(),
                    number: project.number,
                },
                &keys::project_number(project.number),
            )?);
        }
        // The open counts, as the creates would have kept them (a load replaces them).
        let mut open: HashMap<Option<CompanyId>, i64> = HashMap::new();
        for project in projects.iter().filter(|p| p.status.is_open()) {
            *open.entry(Some(project.company_id.clone())).or_default() += 1;
            *open.entry(None).or_default() += 1;
        }
        for (company, count) in open {
            let mut item = keys::open_projects(company.as_ref()).to_item();
            item.insert("open".into(), n(count));
            items.push(item);
        }
        for (company, project, row) in tickets {
            items.push(to_item(
                row,
                &keys::project_ticket(company, *project, row.number),
            )?);
        }
        self.batch_put(items, "loading projects").await
    }
}
