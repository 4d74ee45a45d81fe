//! Fitting into a user's shell: man pages, and completions that know the
//! ids of the file being worked on.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use super::{tell, Cli, CmdResult, Io, INVALID, OK};
use spof::report::notice::Notice;

/// `spof man`: the page of `spof` on stdout, or with a folder every page
/// (`spof.1`, `spof-audit.1`, ...) written there.
pub(super) fn man(dir: Option<&Path>, io: &mut Io<'_>) -> CmdResult {
    let Some(dir) = dir else {
        // As `generate_to` does: `help` is a flag on each page, not a page.
        clap_mangen::Man::new(Cli::command().disable_help_subcommand(true)).render(io.out)?;
        return Ok(OK);
    };
    let written =
        std::fs::create_dir_all(dir).and_then(|()| clap_mangen::generate_to(Cli::command(), dir));
    match written {
        Ok(()) => {
            let main_page = dir.join("spof.1").display().to_string();
            let dir = dir.display().to_string();
            tell(io, &Notice::WroteManPages { dir, main_page })?;
            Ok(OK)
        }
        Err(e) => {
            let path = format!("man pages to {}", dir.display());
            tell(
                io,
                &Notice::CannotWrite {
                    path,
                    error: e.to_string(),
                    refusal: None,
                },
            )?;
            Ok(INVALID)
        }
    }
}

/// The shell call that lists the ids of the file on the command line being
/// completed; the words are passed as they are and `spof __ids` finds the file.
const BASH_IDS: &str =
    r#"COMPREPLY=($(compgen -W "$(spof __ids "${COMP_WORDS[@]}" 2>/dev/null)" -- "${cur}"))"#;
const ZSH_IDS: &str = r#"_spof_ids() {
    local -a ids
    ids=(${(f)"$(spof __ids ${words[@]} 2>/dev/null)"})
    compadd -a ids
}
"#;
const FISH_IDS: &str = r#" -f -a "(spof __ids (commandline -opc))""#;

/// `spof completions SHELL`: clap's script, and for bash, zsh and fish the
/// values of `--fail` and `--target` completed with the file's ids.
pub(super) fn completions(shell: Shell, io: &mut Io<'_>) -> CmdResult {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "spof", &mut script);
    let script = String::from_utf8_lossy(&script).into_owned();
    io.out.write_all(with_ids(shell, &script).as_bytes())?;
    Ok(OK)
}

fn with_ids(shell: Shell, script: &str) -> String {
    let id_flags = ["--fail", "--target"];
    match shell {
        Shell::Bash => {
            let mut out = script.to_string();
            for flag in id_flags {
                let files =
                    format!("{flag})\n                    COMPREPLY=($(compgen -f \"${{cur}}\"))");
                let ids = format!("{flag})\n                    {BASH_IDS}");
                out = out.replace(&files, &ids);
            }
            out
        }
        Shell::Zsh => {
            let mut out =
                script.replacen("#compdef spof\n", &format!("#compdef spof\n\n{ZSH_IDS}"), 1);
            for flag in id_flags {
                out = out
                    .lines()
                    .map(|line| {
                        if line.starts_with(&format!("'*{flag}="))
                            || line.starts_with(&format!("'{flag}="))
                        {
                            line.replace(":ID:_default'", ":ID:_spof_ids'")
                        } else {
                            line.to_string()
                        }
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
            }
            out.push('\n');
            out
        }
        Shell::Fish => script
            .lines()
            .map(|line| {
                let ids = id_flags
                    .iter()
                    .any(|f| line.contains(&format!(" -l {} ", &f[2..])));
                if ids && line.ends_with(" -r") {
                    format!("{line}{FISH_IDS}\n")
                } else {
                    format!("{line}\n")
                }
            })
            .collect(),
        _ => script.to_string(),
    }
}

/// `spof __ids WORDS...`: the ids of the first architecture file among the
/// words, one a line, sorted; nothing at all when there is none or it does
/// not load (a completion must never print an error into the prompt).
pub(super) fn ids(words: &[String], io: &mut Io<'_>) -> CmdResult {
    let file = words
        .iter()
        .map(PathBuf::from)
        .find(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml") && p.is_file());
    let Some(file) = file else {
        return Ok(OK);
    };
    if let Ok(loaded) = spof::load::load_path(&file, spof::load::read::DEFAULT_MAX_BYTES) {
        let mut ids: Vec<&str> = loaded.arch.nodes.iter().map(|n| &*n.id).collect();
        ids.sort_unstable();
        for id in ids {
            // A completion word is one line: ids with line breaks cannot be offered.
            if !id.contains(['\n', '\r']) {
                writeln!(io.out, "{id}")?;
            }
        }
    }
    Ok(OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn script(shell: Shell) -> String {
        let mut raw = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "spof", &mut raw);
        with_ids(shell, &String::from_utf8_lossy(&raw))
    }

    #[test]
    fn every_id_flag_completes_ids_in_bash_zsh_and_fish() {
        // what-if --fail, diagram --fail, and --target of audit, cuts,
        // availability and export.
        assert_eq!(script(Shell::Bash).matches(BASH_IDS).count(), 6);
        assert_eq!(script(Shell::Zsh).matches(":ID:_spof_ids'").count(), 6);
        assert_eq!(script(Shell::Fish).matches(FISH_IDS).count(), 6);
        assert!(
            !script(Shell::Bash).contains("--fail)\n                    COMPREPLY=($(compgen -f")
        );
    }
}
