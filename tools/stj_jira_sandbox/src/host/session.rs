//! Who looks at the host pages (a persona), in which theme, on which site, through which door, and
//! the pages they have open. Personas, theme, site and door come from `?as=` / `?theme=` /
//! `?site=` / `?door=` (remembered in cookies) so a
//! browser test picks them with a URL; each rendered page gets an unguessable id that its script
//! sends back to mint context tokens for exactly that page's user, site and issue.

use std::collections::VecDeque;
use std::sync::Mutex;

use actix_web::HttpRequest;
use serde_json::Value;
use stj_core::ClientKey;

use crate::server::lock;
use crate::site::seed::{DEMO_ADMIN_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID};
use crate::tenants::random_alnum;

/// The people the user switcher offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Persona {
    /// The demo admin: *Administer Jira*, so a project admin of `DEMO`.
    Admin,
    /// The demo member: browse, create and edit issues, no project administration.
    Member,
    /// The demo admin on a site whose licence for the app is not active (`lic=none`).
    Unlicensed,
}

impl Persona {
    pub const ALL: [Self; 3] = [Self::Admin, Self::Member, Self::Unlicensed];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.as_str() == raw)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Member => "member",
            Self::Unlicensed => "unlicensed",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Admin => "Ada Admin (project admin)",
            Self::Member => "Max Member (not a project admin)",
            Self::Unlicensed => "Ada Admin, unlicensed site",
        }
    }

    pub fn account_id(self) -> &'static str {
        match self {
            Self::Admin | Self::Unlicensed => DEMO_ADMIN_ACCOUNT_ID,
            Self::Member => DEMO_MEMBER_ACCOUNT_ID,
        }
    }

    /// The licence the page reports: the site's own, except that the unlicensed persona sees none.
    pub fn licence(self, site_licence: Option<bool>) -> Option<bool> {
        match self {
            Self::Unlicensed => Some(false),
            Self::Admin | Self::Member => site_licence,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Theme {
    Light,
    Dark,
}

impl Theme {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "light" => Some(Self::Light),
            "dark" => Some(Self::Dark),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Light => "light",
            Self::Dark => "dark",
        }
    }

    pub fn other(self) -> Self {
        match self {
            Self::Light => Self::Dark,
            Self::Dark => Self::Light,
        }
    }
}

/// How the app's modules are shown: Connect iframes, or the Forge app's Custom UI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Door {
    Connect,
    Forge,
}

impl Door {
    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "connect" => Some(Self::Connect),
            "forge" => Some(Self::Forge),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connect => "connect",
            Self::Forge => "forge",
        }
    }
}

pub(crate) const PERSONA_COOKIE: &str = "stj_host_as";
pub(crate) const DOOR_COOKIE: &str = "stj_host_door";
pub(crate) const THEME_COOKIE: &str = "stj_host_theme";
pub(crate) const SITE_COOKIE: &str = "stj_host_site";

/// The viewer's choices for this request, and the cookies that remember the ones made by query.
#[derive(Debug, Clone)]
pub(crate) struct Prefs {
    pub persona: Persona,
    pub theme: Theme,
    pub door: Door,
    /// A client key, when the viewer picked a site; otherwise the newest site with the app.
    pub site: Option<String>,
    pub set_cookies: Vec<String>,
}

impl Prefs {
    pub fn of(req: &HttpRequest) -> Self {
        let query: Vec<(String, String)> =
            url::form_urlencoded::parse(req.query_string().as_bytes()).into_owned().collect();
        let from_query = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        let mut set_cookies = Vec::new();
        let mut choose = |param: &str, cookie_name: &str, valid: &dyn Fn(&str) -> bool| {
            match from_query(param).filter(|v| valid(v)) {
                Some(value) => {
                    // Not HttpOnly: the page's script flips the theme without a reload.
                    set_cookies.push(format!(
                        "{cookie_name}={value}; Path=/; SameSite=Strict; Max-Age=31536000"
                    ));
                    Some(value)
                }
                None => cookie(req, cookie_name).filter(|v| valid(v)),
            }
        };
        let persona = choose("as", PERSONA_COOKIE, &|v| Persona::parse(v).is_some())
            .and_then(|v| Persona::parse(&v))
            .unwrap_or(Persona::Admin);
        let theme = choose("theme", THEME_COOKIE, &|v| Theme::parse(v).is_some())
            .and_then(|v| Theme::parse(&v))
            .unwrap_or(Theme::Light);
        let door = choose("door", DOOR_COOKIE, &|v| Door::parse(v).is_some())
            .and_then(|v| Door::parse(&v))
            .unwrap_or(Door::Connect);
        let site = choose("site", SITE_COOKIE, &|v| ClientKey::parse(v).is_ok());
        Self { persona, theme, door, site, set_cookies }
    }
}

/// A cookie's value from the request's `Cookie` headers.
fn cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.headers()
        .get_all("Cookie")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

/// What a rendered page's bridge may ask for: tokens for this user on this site, with this context.
#[derive(Debug, Clone)]
pub(crate) struct HostPage {
    pub client_key: ClientKey,
    pub account_id: String,
    /// `None` when the site's licence has no `active` state (a free app).
    pub licence: Option<bool>,
    /// `context.jira` of the page's context tokens (`issue`, `project`).
    pub jira: Value,
    /// The issue whose subtasks the page lists, for `AP.jira.refreshIssuePage()`.
    pub issue_key: Option<String>,
}

/// Pages rendered so far, newest last; the oldest are forgotten past [`Self::CAPACITY`].
#[derive(Debug, Default)]
pub(crate) struct HostPages(Mutex<VecDeque<(String, HostPage)>>);

impl HostPages {
    const CAPACITY: usize = 4096;

    /// Remember `page`; its id, to render into the page.
    pub fn open(&self, page: HostPage) -> String {
        let id = random_alnum(32);
        let mut pages = lock(&self.0);
        if pages.len() >= Self::CAPACITY {
            pages.pop_front();
        }
        pages.push_back((id.clone(), page));
        id
    }

    pub fn get(&self, id: &str) -> Option<HostPage> {
        lock(&self.0).iter().find(|(k, _)| k == id).map(|(_, page)| page.clone())
    }
}
