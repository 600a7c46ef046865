//! Settings: the account and sync server, the organisation's plan and this month's usage, the
//! agent's own phone (rung first when they press Call), the agent's region and format, this device's name, export everything, about. The rules live in
//! [`SettingsState`] (and [`LocaleSettings`], [`UsageState`]); this runs the shell commands they ask for and hands the frame every sync status a command
//! returns, and every locale saved, so the top bar's badge and every screen follow at once.

use crate::components::settings_account::AccountCard;
use crate::components::settings_calendar::CalendarFeedCard;
use crate::components::settings_device::{AboutCard, DeviceCard, ExportCard};
use crate::components::settings_follow_up::FollowUpCard;
use crate::components::settings_locale::LocaleCard;
use crate::components::settings_phone::PhoneCard;
use crate::components::settings_usage::UsageCard;
use crate::components::states::{page_frame, FrameText};
use crate::hooks::{use_shell, use_submit};
use crate::services::{commands, platform};
use crate::state::form::input_id;
use crate::state::settings::{ExportRun, SettingsAction, SettingsState, SignOut};
use crate::state::settings_locale::{LocaleSettings, LocaleSettingsAction, LOCALE_INPUT_PREFIX};
use crate::state::settings_phone::{PhoneAction, PhoneSettings, AGENT_PHONE_INPUT};
use crate::state::settings_usage::{UsageAction, UsageState};
use crate::state::{ListView, ShellAction};
use fieldstone_protocol::commands::{ExportRequest, SyncState};
use std::rc::Rc;
use yew::platform::spawn_local;
use yew::prelude::*;

const FRAME: FrameText = FrameText {
    name: "settings",
    loading: "Reading your settings…",
    failed: "Couldn't read your settings.",
    rows: 2,
    card: true,
    missing: None,
};

#[component]
pub fn SettingsPage() -> Html {
    let shell = use_shell();
    let state = use_reducer(SettingsState::new);
    let locale = use_reducer(LocaleSettings::default);
    let usage = use_reducer(UsageState::default);
    let phone = use_reducer(PhoneSettings::default);

    // The region and format card and the phone card: their preferences read at first, on
    // Retry and when changes arrive from elsewhere; a locale saved goes to the frame so every
    // screen follows at once.
    {
        let (to_locale, to_phone) = (locale.dispatcher(), phone.dispatcher());
        let deps = (locale.read_seq, phone.read_seq, shell.shell.remote_revision);
        use_effect_with(deps, move |_| {
            spawn_local(async move {
                let read = commands::preferences().await;
                to_locale.dispatch(LocaleSettingsAction::Loaded(read.clone()));
                to_phone.dispatch(PhoneAction::Loaded(read));
            });
        });
    }
    use_submit(&phone, |request| async move {
        commands::set_agent_phone(&request).await
    });
    use_effect_with(phone.form.focus.clone(), |focus| {
        if focus.is_some() {
            platform::focus(AGENT_PHONE_INPUT);
        }
    });
    use_submit(&locale, |request| async move {
        commands::set_locale(&request).await
    });
    {
        let shell = shell.clone();
        use_effect_with(locale.form.saved.clone(), move |saved| {
            if let Some(preferences) = saved {
                shell.dispatch(ShellAction::Locale(preferences.locale.clone()));
            }
        });
    }
    use_effect_with(locale.form.focus.clone(), |focus| {
        if let Some(focus) = focus {
            platform::focus(&input_id(LOCALE_INPUT_PREFIX, &focus.path));
        }
    });
    {
        let state = state.clone();
        use_effect_with(state.account_seq, move |_| {
            spawn_local(async move {
                state.dispatch(match commands::account().await {
                    Ok(account) => SettingsAction::AccountLoaded(Box::new(account)),
                    Err(error) => SettingsAction::AccountFailed(error.message),
                });
            });
        });
    }
    // The plan and usage: asked of the server at first and on Retry; asked again when the
    // device signs in or out, or comes back online (an offline card then fills in by itself).
    {
        let usage = usage.clone();
        use_effect_with(usage.seq, move |&seq| {
            spawn_local(async move {
                usage.dispatch(match commands::org_usage().await {
                    Ok(answer) => UsageAction::Loaded(seq, answer),
                    Err(error) => UsageAction::Failed(seq, error),
                });
            });
        });
    }
    {
        let usage = usage.dispatcher();
        let previous = use_mut_ref(|| None);
        let signed_in = state.account.as_ref().map(|a| a.session.is_some());
        let online = shell
            .shell
            .sync
            .as_ref()
            .is_none_or(|s| s.state != SyncState::Offline);
        use_effect_with((signed_in, online), move |&(signed_in, online)| {
            // Nothing to compare with until the account is read (the first ask is running).
            if let Some(signed_in) = signed_in {
                let now = (signed_in, online);
                let before = previous.borrow_mut().replace(now);
                if before.is_some_and(|before| before != now) {
                    usage.dispatch(UsageAction::Reload);
                }
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                state.dispatch(match commands::about().await {
                    Ok(about) => SettingsAction::AboutLoaded(Box::new(about)),
                    Err(error) => SettingsAction::AboutFailed(error.message),
                });
            });
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.records_seq, move |_| {
            spawn_local(async move {
                state.dispatch(match commands::device_records().await {
                    Ok(records) => SettingsAction::RecordsLoaded(Box::new(records)),
                    Err(error) => SettingsAction::RecordsFailed(error.message),
                });
            });
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.sign_in.submit_seq, move |_| {
            if let Some(request) = state.sign_in.submitted.clone() {
                spawn_local(async move {
                    state.dispatch(match commands::sign_in(&request).await {
                        Ok(account) => SettingsAction::SignedIn(Box::new(account)),
                        Err(error) => SettingsAction::SignInFailed(error),
                    });
                });
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.device.submit_seq, move |_| {
            if let Some(name) = state.device.submitted.clone() {
                spawn_local(async move {
                    state.dispatch(match commands::set_device_name(&name).await {
                        Ok(account) => SettingsAction::DeviceSaved(Box::new(account)),
                        Err(error) => SettingsAction::DeviceFailed(error),
                    });
                });
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.export_seq, move |_| {
            if let ExportRun::Running(format) = state.export {
                spawn_local(async move {
                    let request = ExportRequest {
                        format,
                        query: None,
                    };
                    state.dispatch(match commands::export(&request).await {
                        Ok(done) => SettingsAction::Exported(done),
                        Err(error) => SettingsAction::ExportFailed(error.message),
                    });
                });
            }
        });
    }
    {
        let state = state.clone();
        let shell = shell.clone();
        use_effect_with(state.sign_out_seq, move |_| {
            if state.sign_out == SignOut::Running {
                spawn_local(async move {
                    match commands::sign_out().await {
                        Ok(account) => state.dispatch(SettingsAction::SignedOut(Box::new(account))),
                        Err(error) => state.dispatch(SettingsAction::SignOutFailed(error)),
                    }
                    // The badge follows: the status, or why it cannot be read.
                    shell.dispatch(match commands::sync_status().await {
                        Ok(status) => ShellAction::SyncStatusChanged(status),
                        Err(error) => ShellAction::SyncStatusUnavailable(error.message),
                    });
                });
            }
        });
    }
    {
        let state = state.clone();
        let shell = shell.clone();
        use_effect_with(state.sync_now_seq, move |&seq| {
            if seq > 0 {
                spawn_local(async move {
                    let done = match commands::sync_now().await {
                        Ok(status) => {
                            shell.dispatch(ShellAction::SyncStatusChanged(status));
                            Ok(())
                        }
                        Err(error) => Err(error.message),
                    };
                    state.dispatch(SettingsAction::SyncNowDone(done));
                });
            }
        });
    }
    // Notices: read when signed in, and again whenever sync moves on (a refused edit becomes a
    // notice during a round; it is one small local read).
    {
        let state = state.clone();
        let round = shell.shell.sync.as_ref().map(|s| (s.state, s.pending));
        let key = (
            state.notices_seq,
            shell.shell.remote_revision,
            round,
            state.signed_in(),
        );
        use_effect_with(key, move |&(_, _, _, signed_in)| {
            if signed_in {
                spawn_local(async move {
                    state.dispatch(match commands::sync_notices().await {
                        Ok(notices) => SettingsAction::NoticesLoaded(notices),
                        Err(error) => SettingsAction::NoticesFailed(error.message),
                    });
                });
            }
        });
    }
    {
        let state = state.clone();
        use_effect_with(state.dismissing, move |&dismissing| {
            if let Some(id) = dismissing {
                spawn_local(async move {
                    state.dispatch(match commands::dismiss_notice(&id).await {
                        Ok(()) => SettingsAction::NoticeDismissed(id),
                        Err(error) => SettingsAction::DismissFailed(error.message),
                    });
                });
            }
        });
    }
    {
        let focus = state.focus.clone();
        use_effect_with(focus, |focus| {
            if let Some(focus) = focus {
                platform::focus(&focus.id);
            }
        });
    }
    // Escape closes the sign-out confirmation (the frame's own Escape has nothing to close).
    {
        let dispatcher = state.dispatcher();
        let open = state.sign_out != SignOut::Closed;
        use_effect_with(open, move |&open| {
            let listener = open.then(|| {
                platform::on_key_down(move |press| {
                    let escape = press.key == "Escape" && !press.with_modifier;
                    if escape {
                        dispatcher.dispatch(SettingsAction::CancelSignOut);
                    }
                    escape
                })
            });
            move || drop(listener)
        });
    }

    let dispatch = {
        let state = state.clone();
        Callback::from(move |action| state.dispatch(action))
    };
    let retry = dispatch.reform(|()| SettingsAction::ReloadAccount);
    let usage_dispatch = {
        let usage = usage.clone();
        Callback::from(move |action| usage.dispatch(action))
    };
    let locale_dispatch = {
        let locale = locale.clone();
        Callback::from(move |action| locale.dispatch(action))
    };
    let phone_dispatch = {
        let phone = phone.dispatcher();
        Callback::from(move |action| phone.dispatch(action))
    };
    let loaded = (state.view == ListView::Loaded).then_some(&());
    if let Err(frame) = page_frame(&state.view, loaded, false, &FRAME, retry) {
        return frame;
    }
    let admin = state
        .account
        .as_ref()
        .and_then(|a| a.session.as_ref())
        .is_some_and(|s| s.role.is_admin());
    let snapshot = Rc::new((*state).clone());
    html! {
        <div class="page settings">
            <div class="settings-grid">
                <div class="settings-column">
                    <AccountCard
                        state={snapshot}
                        sync={shell.shell.sync.clone()}
                        now={shell.clock.now}
                        dispatch={dispatch.clone()}
                    />
                    <UsageCard state={(*usage).clone()} dispatch={usage_dispatch} />
                    <PhoneCard state={(*phone).clone()} dispatch={phone_dispatch} />
                    <FollowUpCard admin={admin} signed_in={state.signed_in()} />
                    <CalendarFeedCard signed_in={state.signed_in()} />
                </div>
                <div class="settings-column">
                    <LocaleCard state={(*locale).clone()} dispatch={locale_dispatch} />
                    <DeviceCard form={state.device.clone()} signed_in={state.signed_in()} dispatch={dispatch.clone()} />
                    <ExportCard run={state.export.clone()} dispatch={dispatch.clone()} />
                    <AboutCard about={state.about.clone()} />
                </div>
            </div>
        </div>
    }
}
