//! Writes to a replica forever, acknowledging each write on stdout once it has returned; the
//! crash test (`tests/tests/crash.rs`) kills it with SIGKILL at random moments and checks that
//! every acknowledged write survived.
//!
//! Usage: `crash_writer <database path> <run number>`. Every line it prints is
//! `ACK <kind> <id> <field> <value>`, the value running to the end of the line:
//! - `ACK contact <id> given_name <value>`: a new contact;
//! - `ACK contact <id> family_name <value>`: an edit of a contact created by this run;
//! - `ACK note <id> body <value>`: a new note on a contact created by this run.
//!
//! Values carry the run number and the write's sequence number (`<run>-<n>`), so the test can
//! tell a later write (that may have committed without being acknowledged) from a lost one.

use anyhow::{bail, Context};
use fieldstone_model::{ContactInput, NoteInput, RecordRef, UserId};
use fieldstone_replica::Replica;
use fieldstone_tests::SystemClock;
use std::io::Write;
use std::path::PathBuf;
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let mut args = std::env::args().skip(1);
    let (Some(path), Some(run)) = (args.next(), args.next()) else {
        bail!("usage: crash_writer <database path> <run number>");
    };
    let run: u64 = run.parse().context("run number")?;
    let replica = Replica::open(&PathBuf::from(path), Arc::new(SystemClock)).context("open")?;
    let user: UserId = "00000000-0000-4000-8000-000000000001"
        .parse()
        .context("user id")?;
    let mut contacts = Vec::new();
    let stdout = std::io::stdout();
    for n in 0u64.. {
        let tag = format!("{run}-{n}");
        // Start with a contact, then vary: create, edit, note (the mix shifts with the run).
        let line = match (n + run) % 3 {
            _ if contacts.is_empty() => create(&replica, &mut contacts, &tag, user)?,
            0 => create(&replica, &mut contacts, &tag, user)?,
            1 => {
                let id = contacts[usize::try_from(n).context("n")? % contacts.len()];
                let mut input = replica
                    .get_contact(&id)
                    .context("read contact")?
                    .context("own contact missing")?
                    .to_input();
                input.family_name = format!("Family {tag}");
                replica
                    .update_contact(&id, &input, user)
                    .context("update contact")?;
                format!("ACK contact {id} family_name Family {tag}")
            }
            _ => {
                let id = contacts[usize::try_from(n).context("n")? % contacts.len()];
                let body = format!("Note {tag} — près du parc 🙂");
                let note = replica
                    .create_note(
                        &NoteInput {
                            record: RecordRef::Contact(id),
                            body: body.clone(),
                            pinned: false,
                        },
                        user,
                    )
                    .context("create note")?;
                format!("ACK note {} body {body}", note.id)
            }
        };
        let mut out = stdout.lock();
        writeln!(out, "{line}").context("stdout")?;
        out.flush().context("stdout")?;
    }
    Ok(())
}

fn create(
    replica: &Replica,
    contacts: &mut Vec<fieldstone_model::ContactId>,
    tag: &str,
    user: UserId,
) -> anyhow::Result<String> {
    let given_name = format!("Writer {tag}");
    let contact = replica
        .create_contact(
            &ContactInput {
                given_name: given_name.clone(),
                family_name: "Crash".into(),
                ..Default::default()
            },
            user,
        )
        .context("create contact")?;
    contacts.push(contact.id);
    Ok(format!(
        "ACK contact {} given_name {given_name}",
        contact.id
    ))
}
