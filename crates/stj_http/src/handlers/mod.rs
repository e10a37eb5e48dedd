pub(crate) mod api;
pub(crate) mod assets;
pub(crate) mod health;
pub(crate) mod lifecycle;
pub(crate) mod pages;
pub(crate) mod subtasks;
pub(crate) mod templates;
pub(crate) mod text;
