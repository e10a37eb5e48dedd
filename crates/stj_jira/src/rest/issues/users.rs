//! Display names for account ids, one `user/bulk` page at most.

use stj_privacy::Personal;
use stj_subtasks::{Caller, GatewayError, UserRef};

use crate::rest::{JiraIssueGateway, at};

/// Jira's `user/bulk` answers pages of at most this many users (its own default is 10).
const USERS_PER_CALL: usize = 100;

impl JiraIssueGateway {
    pub(super) async fn read_users(
        &self,
        caller: &Caller,
        account_ids: &[String],
    ) -> Result<Vec<UserRef>, GatewayError> {
        let ids: Vec<&String> = account_ids
            .iter()
            .filter(|id| stj_validation::id_rules::account_id(id).is_ok())
            .take(USERS_PER_CALL)
            .collect();
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut path = format!("/rest/api/3/user/bulk?maxResults={USERS_PER_CALL}");
        for id in ids {
            path.push_str("&accountId=");
            path.extend(url::form_urlencoded::byte_serialize(id.as_bytes()));
        }
        let page = self.get_json(caller, &path).await?;
        Ok(at(&page, "/values")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| {
                Some(UserRef {
                    account_id: at(u, "/accountId").as_str()?.to_owned(),
                    display_name: Personal::new(at(u, "/displayName").as_str()?.to_owned()),
                })
            })
            .collect())
    }
}
