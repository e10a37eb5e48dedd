pub(crate) mod api;
pub(crate) mod health;
pub(crate) mod items;
pub(crate) mod lifecycle;
pub(crate) mod pages;
pub(crate) mod subtasks;
pub(crate) mod templates;
pub(crate) mod text;
