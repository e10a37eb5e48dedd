use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use serde_json::Value;
use stj_core::{ClientKey, IssueKey};
use stj_privacy::Personal;
use stj_templates::{Library, SubtaskSpec, Template, TemplateId, code, field};

use crate::library::{LibraryError, LibraryService};
use crate::ports::{
    Caller, ExistingSubtask, GatewayError, IssueGateway, IssueTypeRef, ItemOutcome, NewSubtask,
    Origin, ParentIssue, ProjectSubtaskTypes,
};
use crate::properties::PropertyTarget;
use crate::service::{
    ApplyError, ApplyOptions, ApplyRequest, ApplySource, ItemStatus, SubtaskService,
};
use crate::tests::memory::MemoryStore;

/// A parent `DEMO-1` in project 10000, whatever key it is asked by; records every call.
#[derive(Debug)]
struct Fake {
    /// What the look-up by project key answers.
    by_key: fn() -> Result<Option<ProjectSubtaskTypes>, GatewayError>,
    ledger: Mutex<Option<Value>>,
    calls: Mutex<Vec<String>>,
    /// The parent's subtasks now.
    subtasks: Mutex<Vec<String>>,
    /// Issues created so far (keys are `DEMO-{2 + n}`).
    created: Mutex<usize>,
}

impl Fake {
    fn new(by_key: fn() -> Result<Option<ProjectSubtaskTypes>, GatewayError>) -> Self {
        Self {
            by_key,
            ledger: Mutex::new(None),
            calls: Mutex::new(Vec::new()),
            subtasks: Mutex::new(Vec::new()),
            created: Mutex::new(0),
        }
    }

    fn log(&self, call: String) {
        self.calls.lock().unwrap().push(call);
    }

    fn calls(&self) -> Vec<String> {
        self.calls.lock().unwrap().clone()
    }
}

fn types(id: &str) -> Vec<IssueTypeRef> {
    vec![IssueTypeRef { id: id.to_owned(), name: "Sub-task".to_owned() }]
}

#[async_trait]
impl IssueGateway for Fake {
    async fn existing_subtasks(
        &self,
        _: &Caller,
        _: &IssueKey,
    ) -> Result<Vec<ExistingSubtask>, GatewayError> {
        Ok(Vec::new())
    }

    async fn parent(&self, _: &Caller, issue_key: &IssueKey) -> Result<ParentIssue, GatewayError> {
        self.log(format!("parent {issue_key}"));
        Ok(ParentIssue {
            id: "10001".to_owned(),
            key: IssueKey::parse("DEMO-1").unwrap(),
            project_id: "10000".to_owned(),
            summary: Personal::new("Parent".to_owned()),
            assignee: None,
            reporter_account_id: None,
            due_date: None,
            is_subtask: false,
            subtask_keys: self.subtasks.lock().unwrap().clone(),
        })
    }

    async fn project_subtask_types(
        &self,
        _: &Caller,
        project_key: &str,
    ) -> Result<Option<ProjectSubtaskTypes>, GatewayError> {
        self.log(format!("project {project_key}"));
        (self.by_key)()
    }

    async fn subtask_types(
        &self,
        _: &Caller,
        project_id: &str,
    ) -> Result<Vec<IssueTypeRef>, GatewayError> {
        self.log(format!("types {project_id}"));
        Ok(types("by-id"))
    }

    async fn bulk_create(
        &self,
        _: &Caller,
        _: &ParentIssue,
        items: &[NewSubtask],
    ) -> Result<Vec<ItemOutcome>, GatewayError> {
        let issue_type_id = items.first().map_or("", |i| i.issue_type_id.as_str());
        self.log(format!("bulk {issue_type_id} {}", items.len()));
        let mut subtasks = self.subtasks.lock().unwrap();
        Ok(items
            .iter()
            .map(|_| {
                let mut created = self.created.lock().unwrap();
                let key = format!("DEMO-{}", created.saturating_add(2));
                *created = created.saturating_add(1);
                subtasks.push(key.clone());
                ItemOutcome::Created { key }
            })
            .collect())
    }

    async fn subtask_origins(
        &self,
        _: &Caller,
        _: &IssueKey,
    ) -> Result<Vec<(String, Option<Origin>)>, GatewayError> {
        self.log("origins".to_owned());
        Ok(Vec::new())
    }

    async fn get_issue_property(
        &self,
        _: &Caller,
        issue_key: &IssueKey,
        _: &str,
    ) -> Result<Option<Value>, GatewayError> {
        self.log(format!("get ledger {issue_key}"));
        Ok(self.ledger.lock().unwrap().clone())
    }

    async fn put_issue_property(
        &self,
        _: &Caller,
        issue_key: &IssueKey,
        _: &str,
        value: &Value,
    ) -> Result<(), GatewayError> {
        self.log(format!("put ledger {issue_key}"));
        *self.ledger.lock().unwrap() = Some(value.clone());
        Ok(())
    }
}

fn caller() -> Caller {
    Caller {
        client_key: ClientKey::parse("tenant-1").unwrap(),
        account_id: Personal::new("user-1".to_owned()),
        access: stj_core::JiraAccess::Connect,
    }
}

/// A service whose caller's personal library holds template `t`: "One" (with a description)
/// and "Two", at lines 1 and 3 of its quick entry, as the quick entry `QUICK` has them.
async fn service(fake: &Arc<Fake>) -> SubtaskService {
    let library = LibraryService::new(Arc::new(MemoryStore::default()), "app").unwrap();
    let one = SubtaskSpec { description: Some("d".to_owned()), ..SubtaskSpec::new("One") };
    let t = Template {
        id: TemplateId::new("t").unwrap(),
        name: "T".to_owned(),
        description: None,
        subtask_type: None,
        subtasks: vec![one, SubtaskSpec::new("Two")],
    };
    let target = PropertyTarget::personal(&caller());
    library
        .save(&caller(), &target, &Library { revision: 0, templates: vec![t] }, 0)
        .await
        .unwrap();
    SubtaskService::new(fake.clone(), Arc::new(library), "app")
}

const QUICK: &str = "One\n\nTwo";

fn template(id: &str) -> ApplySource {
    ApplySource::Template { target: PropertyTarget::personal(&caller()), id: id.to_owned() }
}

fn request(issue_key: &str, source: ApplySource) -> ApplyRequest {
    ApplyRequest {
        issue_key: IssueKey::parse(issue_key).unwrap(),
        source,
        today: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        subtask_type_id: None,
    }
}

fn quick(text: &str) -> ApplyRequest {
    request("DEMO-1", ApplySource::QuickEntry(text.to_owned()))
}

fn click(apply_id: &str) -> ApplyOptions {
    ApplyOptions {
        apply_id: apply_id.to_owned(),
        recreate_deleted: false,
        applied_on: chrono::NaiveDate::from_ymd_opt(2026, 1, 2).unwrap(),
    }
}

async fn apply_as(fake: &Arc<Fake>, issue_key: &str, options: &ApplyOptions) -> Vec<ItemStatus> {
    let service = service(fake).await;
    let report =
        service.apply(&caller(), &request(issue_key, template("t")), options).await.unwrap();
    assert_eq!(report.items.iter().map(|i| i.line).collect::<Vec<_>>(), [1, 3], "source lines");
    report.items.into_iter().map(|i| i.status).collect()
}

async fn apply(fake: &Arc<Fake>, issue_key: &str) -> Vec<ItemStatus> {
    apply_as(fake, issue_key, &click("a1")).await
}

fn created(keys: &[&str]) -> Vec<ItemStatus> {
    keys.iter().map(|k| ItemStatus::Created { key: (*k).to_owned() }).collect()
}

#[tokio::test]
async fn the_types_of_the_keys_project_are_used_when_it_is_the_parents() {
    let fake = Arc::new(Fake::new(|| {
        Ok(Some(ProjectSubtaskTypes { project_id: "10000".into(), types: types("by-key") }))
    }));
    assert_eq!(apply(&fake, "DEMO-1").await, created(&["DEMO-2", "DEMO-3"]));
    let calls = fake.calls();
    assert_eq!(calls.len(), 6, "{calls:?}");
    let (together, rest) = calls.split_at(3);
    let mut together = together.to_vec();
    together.sort();
    assert_eq!(together, ["get ledger DEMO-1", "parent DEMO-1", "project DEMO"]);
    assert_eq!(rest, ["put ledger DEMO-1", "bulk by-key 2", "put ledger DEMO-1"]);
}

#[tokio::test]
async fn otherwise_the_types_are_asked_for_by_the_parents_project_id() {
    // The issue was moved: its old key names a project it is no longer in.
    let moved =
        || Ok(Some(ProjectSubtaskTypes { project_id: "20000".into(), types: types("by-key") }));
    let failed = || Err(GatewayError::NotFound);
    let unsupported = || Ok(None);
    for by_key in [moved, failed, unsupported] {
        let fake = Arc::new(Fake::new(by_key));
        assert_eq!(apply(&fake, "OLD-7").await, created(&["DEMO-2", "DEMO-3"]));
        let calls = fake.calls();
        assert!(calls.contains(&"types 10000".to_owned()), "{calls:?}");
        assert!(calls.contains(&"bulk by-id 2".to_owned()), "{calls:?}");
        assert!(calls.contains(&"get ledger DEMO-1".to_owned()), "ledger of the parent");
    }
}

fn existing(keys: &[&str]) -> Vec<ItemStatus> {
    keys.iter().map(|k| ItemStatus::AlreadyExisted { key: (*k).to_owned() }).collect()
}

#[tokio::test]
async fn one_click_is_one_application_and_a_new_click_a_new_one() {
    let fake = Arc::new(Fake::new(|| Ok(None)));
    assert_eq!(apply_as(&fake, "DEMO-1", &click("a1")).await, created(&["DEMO-2", "DEMO-3"]));
    assert_eq!(apply_as(&fake, "DEMO-1", &click("a1")).await, existing(&["DEMO-2", "DEMO-3"]));
    assert_eq!(apply_as(&fake, "DEMO-1", &click("b2")).await, created(&["DEMO-4", "DEMO-5"]));

    // Someone deletes one created subtask: the same key reports it, "missing ones" re-creates it.
    fake.subtasks.lock().unwrap().retain(|k| k != "DEMO-3");
    assert_eq!(apply_as(&fake, "DEMO-1", &click("a1")).await, existing(&["DEMO-2", "DEMO-3"]));
    let again = ApplyOptions { recreate_deleted: true, ..click("a1") };
    let statuses = apply_as(&fake, "DEMO-1", &again).await;
    assert_eq!(statuses[0], ItemStatus::AlreadyExisted { key: "DEMO-2".into() });
    assert_eq!(statuses[1], ItemStatus::Created { key: "DEMO-6".into() });

    let service = service(&fake).await;
    let preview = service.preview(&caller(), &request("DEMO-1", template("t"))).await.unwrap();
    let previous: Vec<_> =
        preview.previous.iter().map(|p| (p.apply_id.as_str(), p.created, p.present)).collect();
    assert_eq!(previous, [("a1", 2, 2), ("b2", 2, 2)], "newest first");
    assert_eq!(preview.previous[0].applied_on, chrono::NaiveDate::from_ymd_opt(2026, 1, 2));
    assert_eq!(preview.items.iter().map(|i| i.line).collect::<Vec<_>>(), [1, 3]);
    let typed = service.preview(&caller(), &quick(QUICK)).await.unwrap();
    assert!(typed.previous.is_empty(), "quick entry has no earlier applications");
    assert_eq!(typed.items.iter().map(|i| i.line).collect::<Vec<_>>(), [1, 3]);

    let three = quick("One\nTwo\nThree");
    let reused = service.apply(&caller(), &three, &click("a1")).await.unwrap_err();
    assert!(matches!(reused, ApplyError::KeyReused { recorded: 2 }), "{reused:?}");
}

#[tokio::test]
async fn a_subtask_type_id_must_be_the_projects() {
    let fake = Arc::new(Fake::new(|| Ok(None)));
    let service = service(&fake).await;
    let mut wrong = quick(QUICK);
    wrong.subtask_type_id = Some("nope".into());
    let err = service.apply(&caller(), &wrong, &click("c3")).await.unwrap_err();
    assert!(matches!(err, ApplyError::SubtaskTypeInvalid), "{err:?}");
    assert!(!fake.calls().iter().any(|c| c.starts_with("bulk")), "nothing created");
}

#[tokio::test]
async fn each_line_gets_its_own_type_and_an_unknown_name_is_a_problem_at_its_line() {
    let fake = Arc::new(Fake::new(|| {
        Ok(Some(ProjectSubtaskTypes {
            project_id: "10000".into(),
            types: vec![
                IssueTypeRef { id: "1".into(), name: "Sub-task".into() },
                IssueTypeRef { id: "2".into(), name: "Code review".into() },
            ],
        }))
    }));
    let service = service(&fake).await;
    let mut typed = quick("One\n\nTwo type:\"code REVIEW\"");
    let preview = service.preview(&caller(), &typed).await.unwrap();
    let ids: Vec<&str> = preview.items.iter().map(|i| i.issue_type.id.as_str()).collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(preview.default_type_id, "1");
    typed.subtask_type_id = Some("2".into());
    let preview = service.preview(&caller(), &typed).await.unwrap();
    let ids: Vec<&str> = preview.items.iter().map(|i| i.issue_type.id.as_str()).collect();
    assert_eq!(ids, ["2", "2"], "the request's type for lines without one");

    typed.source = ApplySource::QuickEntry("One type:Bug\n\nTwo type:\"code REVIEW\"".into());
    let err = service.apply(&caller(), &typed, &click("d4")).await.unwrap_err();
    let ApplyError::Invalid(report) = err else { panic!("{err:?}") };
    assert_eq!(report.violations.len(), 1);
    assert_eq!(
        (report.violations[0].line, report.violations[0].code),
        (Some(1), "subtask_type_unknown")
    );
    assert!(!fake.calls().iter().any(|c| c.starts_with("bulk")), "nothing created");
}

#[tokio::test]
async fn the_count_rule_is_checked_once_for_every_source_before_jira_is_asked() {
    let fake = Arc::new(Fake::new(|| Ok(None)));
    let service = service(&fake).await;
    let many = "t\n".repeat(201);
    for (text, expected) in
        [("", code::EMPTY), (" \n\n", code::EMPTY), (many.as_str(), code::TOO_MANY)]
    {
        let err = service.preview(&caller(), &quick(text)).await.unwrap_err();
        let ApplyError::Invalid(report) = err else { panic!("{err:?}") };
        let found: Vec<_> = report.violations.iter().map(|v| (v.line, v.field, v.code)).collect();
        assert_eq!(found, [(None, field::SUBTASKS, expected)], "{text:?}");
        let err = service.apply(&caller(), &quick(text), &click("e5")).await.unwrap_err();
        assert!(matches!(&err, ApplyError::Invalid(r) if r.has(expected)), "{err:?}");
    }
    assert!(service.preview(&caller(), &quick(&"t\n".repeat(200))).await.is_ok());
    assert_eq!(
        fake.calls().iter().filter(|c| c.starts_with("parent")).count(),
        1,
        "only the valid one"
    );
}

#[tokio::test]
async fn a_stored_template_is_found_by_its_library_and_id_and_named_by_them() {
    let fake = Arc::new(Fake::new(|| Ok(None)));
    let service = service(&fake).await;
    let err = service.preview(&caller(), &request("DEMO-1", template("nope"))).await.unwrap_err();
    assert!(matches!(err, ApplyError::Library(LibraryError::TemplateNotFound)), "{err:?}");
    let project = ApplySource::Template { target: PropertyTarget::project("DEMO"), id: "t".into() };
    let err = service.preview(&caller(), &request("DEMO-1", project.clone())).await.unwrap_err();
    assert!(matches!(err, ApplyError::Library(LibraryError::TemplateNotFound)), "{err:?}");
    assert!(fake.calls().is_empty(), "{:?}", fake.calls());
    assert_eq!(template("t").id(), "personal/t");
    assert_eq!(project.id(), "project/DEMO/t");
    assert_eq!(ApplySource::QuickEntry(QUICK.into()).id(), crate::QUICK_ENTRY_SOURCE);
}
