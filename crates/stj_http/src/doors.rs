//! The doors a route takes. A leaf: the route table declares them, the route gate (`auth`) reads them.

/// Which front doors a route accepts: the gate picks the authenticator by the token's scheme
/// (`JWT …` or `?jwt=` → Connect, `Bearer …` → Forge) and refuses a door the route does not take
/// (401 `door_not_accepted`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Doors {
    Connect,
    Forge,
    Both,
}

impl Doors {
    pub const fn accepts(self, door: stj_core::Door) -> bool {
        matches!(
            (self, door),
            (Self::Both, _)
                | (Self::Connect, stj_core::Door::Connect)
                | (Self::Forge, stj_core::Door::Forge)
        )
    }
}
