//! The FIT verifier against a real JWKS server on loopback, through the real HTTP adapter, with
//! locally generated RS256 keys. The full matrix over every route runs in stj_server's tests.

#[cfg(test)]
mod jwks_server;
#[cfg(test)]
mod verifier;
