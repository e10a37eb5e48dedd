//! `cargo xtask <ci|bench|dev>`: the project's automation, in Rust so it runs wherever cargo does.

fn main() -> anyhow::Result<()> {
    anyhow::bail!("usage: cargo xtask <ci|bench|dev>")
}
