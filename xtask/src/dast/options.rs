//! Flags of `cargo xtask dast`, each with an environment variable for `cargo xtask ci`.

use std::path::PathBuf;

use anyhow::Context as _;

use crate::shell::{env_var, project_root, target_dir};

pub(crate) const USAGE: &str = "usage: cargo xtask dast [options]

  --app-port N       the app's port on 127.0.0.1 (STJ_DAST_APP_PORT; default: a free port)
  --sandbox-port N   the Jira sandbox's port (STJ_DAST_SANDBOX_PORT; default: a free port)
  --dir DIR          registry, logs and reports (STJ_DAST_DIR; default target/dast), emptied first
  --examples N       examples per operation in the `valid` run, a third of it in the others
                     (STJ_DAST_EXAMPLES; default 50)
  --seed N           schemathesis's seed (STJ_DAST_SEED; default 20261129)
  --no-build         use the release binaries already in target/release
  --keep             leave the app and the sandbox running afterwards, to replay curl lines,
                     until Enter is pressed
The tools come from `cargo xtask tools` ($STJ_TOOLS_DIR/venv, default ~/.cache/stj-tools/venv).";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Options {
    /// The workspace under test (`gates-bite` points this at a scratch copy).
    pub(crate) root: PathBuf,
    /// Its cargo target directory (release binaries in `release/`).
    pub(crate) target: PathBuf,
    pub(crate) app_port: Option<u16>,
    pub(crate) sandbox_port: Option<u16>,
    pub(crate) dir: PathBuf,
    pub(crate) examples: u32,
    pub(crate) seed: u64,
    pub(crate) build: bool,
    pub(crate) keep: bool,
}

impl Options {
    /// `None` for `--help`.
    pub(crate) fn parse(args: &[String]) -> anyhow::Result<Option<Self>> {
        let number = |name: &str, raw: &str| -> anyhow::Result<u64> {
            raw.parse().with_context(|| format!("{name} wants a number, got {raw:?}"))
        };
        let port = |name: &str, raw: &str| -> anyhow::Result<u16> {
            u16::try_from(number(name, raw)?).with_context(|| format!("{name} {raw} is no port"))
        };
        let env = |name: &str| env_var(name);
        let mut options = Self {
            root: project_root(),
            target: target_dir(),
            app_port: env("STJ_DAST_APP_PORT")
                .map(|p| port("STJ_DAST_APP_PORT", &p))
                .transpose()?,
            sandbox_port: env("STJ_DAST_SANDBOX_PORT")
                .map(|p| port("STJ_DAST_SANDBOX_PORT", &p))
                .transpose()?,
            dir: env("STJ_DAST_DIR").map_or_else(|| target_dir().join("dast"), PathBuf::from),
            examples: env("STJ_DAST_EXAMPLES")
                .map(|n| number("STJ_DAST_EXAMPLES", &n))
                .transpose()?
                .map_or(Ok(50), u32::try_from)?,
            seed: env("STJ_DAST_SEED")
                .map(|n| number("STJ_DAST_SEED", &n))
                .transpose()?
                .unwrap_or(20_261_129),
            build: true,
            keep: false,
        };
        let mut args = args.iter();
        while let Some(flag) = args.next() {
            let mut value = || args.next().with_context(|| format!("{flag} needs a value"));
            match flag.as_str() {
                "--app-port" => options.app_port = Some(port(flag, value()?)?),
                "--sandbox-port" => options.sandbox_port = Some(port(flag, value()?)?),
                "--dir" => options.dir = PathBuf::from(value()?),
                "--examples" => options.examples = u32::try_from(number(flag, value()?)?)?,
                "--seed" => options.seed = number(flag, value()?)?,
                "--no-build" => options.build = false,
                "--keep" => options.keep = true,
                "-h" | "--help" => return Ok(None),
                other => anyhow::bail!("unknown argument {other:?}\n\n{USAGE}"),
            }
        }
        anyhow::ensure!((1..=1000).contains(&options.examples), "--examples must be 1 to 1000");
        if options.dir.is_relative() {
            options.dir = project_root().join(&options.dir);
        }
        Ok(Some(options))
    }

    /// The negative-token runs need fewer examples: every request is refused the same way.
    pub(crate) fn examples_for(&self, mode: &str) -> u32 {
        if mode == "valid" { self.examples } else { self.examples.div_ceil(3) }
    }

    /// Atlassian's qsh interop vectors, for the hooks' self-check: `$STJ_SHARED_DIR` or `../shared`.
    pub(crate) fn qsh_vectors(&self) -> Option<PathBuf> {
        let shared = env_var("STJ_SHARED_DIR")
            .map_or_else(|| project_root().join("../shared"), PathBuf::from);
        Some(shared.join("connect/qsh-interop-vectors.json")).filter(|p| p.is_file())
    }
}

#[cfg(test)]
mod tests {
    use crate::dast::options::Options;

    fn parse(args: &str) -> anyhow::Result<Option<Options>> {
        Options::parse(&args.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
    }

    #[test]
    fn flags_override_defaults() {
        let o = parse("--app-port 18080 --sandbox-port 18081 --examples 9 --seed 7 --no-build")
            .unwrap()
            .unwrap();
        assert_eq!((o.app_port, o.sandbox_port), (Some(18080), Some(18081)));
        assert_eq!((o.examples, o.seed, o.build, o.keep), (9, 7, false, false));
        assert_eq!((o.examples_for("valid"), o.examples_for("none")), (9, 3));
        assert!(o.dir.is_absolute());
        assert!(parse("--help").unwrap().is_none());
        assert!(parse("--app-port 70000").is_err());
        assert!(parse("--examples 0").is_err());
        assert!(parse("--verbose").is_err());
    }
}
