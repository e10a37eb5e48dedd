//! What the parent's subtasks hold: the origin marker each carries (which apply made it), and the
//! fields a re-apply compares against.

use stj_core::IssueKey;
use stj_privacy::Personal;
use stj_subtasks::{Caller, ExistingSubtask, GatewayError, IssueGateway, Origin};

use super::{checked_key, json};
use crate::rest::{JiraIssueGateway, at, refusal};

impl JiraIssueGateway {
    pub(super) async fn read_subtask_origins(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<(String, Option<Origin>)>, GatewayError> {
        let keys = self.subtask_keys(caller, parent_key).await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let checked = checked_key(&key)?;
            let value = self.get_issue_property(caller, &checked, &self.origin_key).await?;
            let origin = value.and_then(|v| {
                Some(Origin {
                    apply_id: at(&v, "/apply").as_str()?.to_owned(),
                    index: usize::try_from(at(&v, "/index").as_u64()?).ok()?,
                })
            });
            out.push((key, origin));
        }
        Ok(out)
    }

    pub(super) async fn read_existing_subtasks(
        &self,
        caller: &Caller,
        parent_key: &IssueKey,
    ) -> Result<Vec<ExistingSubtask>, GatewayError> {
        let keys = self.subtask_keys(caller, parent_key).await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            let path = format!(
                "/rest/api/3/issue/{}?fields=summary,assignee,labels,priority,timetracking",
                checked_key(&key)?
            );
            let reply = self.call(caller, "GET", &path, None, true).await?;
            if reply.status != 200 {
                return Err(refusal(&reply));
            }
            let issue = json(&reply.body)?;
            let f = at(&issue, "/fields");
            out.push(ExistingSubtask {
                summary: Personal::new(at(f, "/summary").as_str().unwrap_or_default().to_owned()),
                assignee_account_id: at(f, "/assignee/accountId").as_str().map(str::to_owned),
                labels: at(f, "/labels")
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|l| l.as_str().map(str::to_owned))
                    .collect(),
                original_estimate: at(f, "/timetracking/originalEstimate")
                    .as_str()
                    .map(str::to_owned),
                priority_name: at(f, "/priority/name").as_str().map(str::to_owned),
            });
        }
        Ok(out)
    }
}
