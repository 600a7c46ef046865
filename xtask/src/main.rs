//! Fieldstone's developer tasks. `cargo xtask help` lists them.

mod install;
mod postgres;
mod run;
mod server;
mod test;
mod ui;
mod util;
mod xvfb;

use std::process::ExitCode;

const HELP: &str = "\
Fieldstone developer tasks

USAGE:
    cargo xtask <COMMAND>

COMMANDS:
    run                   Install what is missing (apt packages, wasm32 target), bundle the UI,
                          build the app and sync server (release), start a local sync server and
                          open the app against it. Needs a display (headless: xvfb-run -a).
    test                  Everything CI checks, in order: install, fmt, bundle UI, clippy (host and
                          wasm32), build, then all tests including the ignored end-to-end ones
                          (under a private Xvfb when no DISPLAY is set).
    bundle-ui [--release] Build the UI to wasm and write ui/dist (wasm-bindgen runs in-process).
    help                  Show this text.
";

#[derive(Debug, PartialEq, Eq)]
enum Task {
    Run,
    Test,
    BundleUi { release: bool },
    Help,
}

fn parse_args(args: &[String]) -> Result<Task, String> {
    let (first, rest) = match args.split_first() {
        None => return Ok(Task::Help),
        Some((first, rest)) => (first.as_str(), rest),
    };
    let no_extra = |task: Task| match rest.first() {
        None => Ok(task),
        Some(extra) => Err(format!("`{first}` takes no argument, got `{extra}`")),
    };
    match first {
        "help" | "--help" | "-h" => no_extra(Task::Help),
        "run" => no_extra(Task::Run),
        "test" => no_extra(Task::Test),
        "bundle-ui" => match rest {
            [] => Ok(Task::BundleUi { release: false }),
            [flag] if flag == "--release" => Ok(Task::BundleUi { release: true }),
            [other, ..] => Err(format!("`bundle-ui` takes only --release, got `{other}`")),
        },
        other => Err(format!("unknown command `{other}`")),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let task = match parse_args(&args) {
        Ok(task) => task,
        Err(msg) => {
            eprintln!("{} {msg}\n\n{HELP}", util::red("error:"));
            return ExitCode::from(2);
        }
    };
    let result = (|| -> anyhow::Result<ExitCode> {
        if task == Task::Help {
            print!("{HELP}");
            return Ok(ExitCode::SUCCESS);
        }
        let ws = util::Workspace::locate()?;
        match task {
            Task::Run => run::run(&ws),
            Task::Test => test::test(&ws),
            Task::BundleUi { release } => ui::bundle(&ws, release).map(|()| ExitCode::SUCCESS),
            Task::Help => Ok(ExitCode::SUCCESS),
        }
    })();
    match result {
        Ok(code) => code,
        Err(err) => {
            eprintln!("{} {err:#}", util::red("error:"));
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Task, String> {
        parse_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn parses_commands() {
        assert_eq!(parse(&[]), Ok(Task::Help));
        assert_eq!(parse(&["help"]), Ok(Task::Help));
        assert_eq!(parse(&["--help"]), Ok(Task::Help));
        assert_eq!(parse(&["run"]), Ok(Task::Run));
        assert_eq!(parse(&["test"]), Ok(Task::Test));
        assert_eq!(parse(&["bundle-ui"]), Ok(Task::BundleUi { release: false }));
        assert_eq!(
            parse(&["bundle-ui", "--release"]),
            Ok(Task::BundleUi { release: true })
        );
    }

    #[test]
    fn rejects_unknown_input() {
        assert!(parse(&["deploy"]).is_err_and(|e| e.contains("unknown command `deploy`")));
        assert!(parse(&["run", "--release"]).is_err());
        assert!(parse(&["bundle-ui", "--debug"]).is_err());
        assert!(parse(&["bundle-ui", "--release", "x"]).is_err());
    }
}
