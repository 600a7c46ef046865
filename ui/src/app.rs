//! The app frame: navigation, the top bar with the sync badge, desktop keyboard shortcuts and
//! the current screen. The screen lives in the `#hash`; the frame's state is a pure reducer
//! ([`Shell`]) shared with the screens through [`ShellContext`].

use crate::components::undo::UndoDelete;
use crate::components::{Nav, TopBar};
use crate::hooks::{LocaleContext, ShellContext};
use crate::pages::{KioskPage, NewContactDialog, Page};
use crate::route::Route;
use crate::services::{commands, platform};
use crate::state::{format, Shell, ShellAction, Shortcut};
use yew::platform::spawn_local;
use yew::prelude::*;

#[component]
pub fn App() -> Html {
    let shell = use_reducer(|| Shell::at(Route::from_hash(&platform::current_hash())));

    // Sync status: subscribe to changes, then read it once.
    {
        let shell = shell.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                let events = shell.dispatcher();
                let subscribed = commands::on_sync_status(move |status| {
                    events.dispatch(ShellAction::SyncStatusChanged(status));
                })
                .await;
                match subscribed {
                    // The frame lives as long as the window: so does its subscription.
                    Ok(subscription) => std::mem::forget(subscription),
                    Err(error) => web_sys::console::warn_1(
                        &format!("Fieldstone: no live sync status: {}", error.message).into(),
                    ),
                }
                match commands::sync_status().await {
                    Ok(status) => shell.dispatch(ShellAction::SyncStatusChanged(status)),
                    Err(error) => shell.dispatch(ShellAction::SyncStatusUnavailable(error.message)),
                }
            });
        });
    }

    // How many records hold fields changed on two devices: read again when changes arrive from
    // elsewhere and on every screen change (a choice made on a contact settles one).
    {
        let shell = shell.clone();
        let deps = (shell.remote_revision, shell.route, shell.conflict_checks);
        use_effect_with(deps, move |_| {
            spawn_local(async move {
                // The count is a convenience: when it cannot be read the pill just omits it.
                if let Ok(docs) = commands::conflicted_docs().await {
                    shell.dispatch(ShellAction::Conflicts(docs.len()));
                }
            });
        });
    }

    // Whether the signed-in role only looks: read at start, whenever sync changes state and on
    // every screen change (signing in or out changes both, in either order; the read is of
    // the device's settings, not the network). When it cannot be read, edits stay offered and
    // the engine still refuses a viewer's.
    {
        let shell = shell.clone();
        let deps = (shell.sync.as_ref().map(|s| s.state), shell.route);
        use_effect_with(deps, move |_| {
            spawn_local(async move {
                if let Ok(account) = commands::account().await {
                    use fieldstone_protocol::account::Role;
                    let role = account.session.as_ref().map(|s| s.role);
                    let team_view = matches!(role, Some(Role::Owner | Role::Admin | Role::Broker));
                    let view_only = account
                        .session
                        .filter(|s| s.role == Role::Viewer)
                        .map(|s| s.org.name);
                    shell.dispatch(ShellAction::ViewOnly(view_only));
                    shell.dispatch(ShellAction::TeamView(team_view));
                }
            });
        });
    }

    // The agent's locale: read at start, when changes arrive from elsewhere (set on another
    // device) and when sync changes state (signing in or out changes whose preferences these
    // are). Until it answers, or if it cannot be read, screens use the default format.
    {
        let shell = shell.clone();
        let deps = (shell.remote_revision, shell.sync.as_ref().map(|s| s.state));
        use_effect_with(deps, move |_| {
            spawn_local(async move {
                match commands::preferences().await {
                    Ok(preferences) => shell.dispatch(ShellAction::Locale(preferences.locale)),
                    Err(error) => web_sys::console::warn_1(
                        &format!("Fieldstone: no preferences: {}", error.message).into(),
                    ),
                }
            });
        });
    }

    // The hash and the shown screen follow each other.
    {
        let dispatcher = shell.dispatcher();
        use_effect_with((), move |()| {
            let listener = platform::on_hash_change(move |hash| {
                dispatcher.dispatch(ShellAction::Navigate(Route::from_hash(&hash)));
            });
            move || drop(listener)
        });
    }
    use_effect_with((shell.route, shell.bounced), |(route, _)| {
        platform::set_hash(&route.to_hash());
        platform::scroll_to_top();
    });

    // A kiosk left running (the app closed or reloaded during an open house) locks the window
    // again at once.
    {
        let shell = shell.clone();
        use_effect_with((), move |()| {
            spawn_local(async move {
                if let Ok(Some(kiosk)) = commands::kiosk().await {
                    shell.dispatch(ShellAction::KioskOn(kiosk.listing));
                }
            });
        });
    }

    // Desktop shortcuts: `/` search, `n` new, Escape closes the new-contact dialog.
    {
        let dispatcher = shell.dispatcher();
        use_effect_with((), move |()| {
            let listener = platform::on_key_down(move |press| {
                if press.key == "Escape" && !press.with_modifier {
                    dispatcher.dispatch(ShellAction::CloseNewContact);
                    return false;
                }
                match Shortcut::for_key(&press.key, press.with_modifier, press.typing) {
                    Some(shortcut) => {
                        dispatcher.dispatch(ShellAction::Shortcut(shortcut));
                        true
                    }
                    None => false,
                }
            });
            move || drop(listener)
        });
    }

    // Screens format with the app's current locale: it becomes the frame's before they render
    // (children render after the frame), so each render reads one locale throughout.
    format::set_locale(&shell.locale);
    let locale = LocaleContext(shell.locale.clone());
    let context = ShellContext {
        shell: shell.clone(),
        clock: platform::Clock::read(),
    };
    let route = shell.route;
    let (title, back) = crate::pages::title(route);
    let title = shell.title_for(route, title);

    if let Route::Kiosk(_) = route {
        // The whole window is the sign-in form: no navigation, no top bar, no dialogs.
        return html! {
            <ContextProvider<ShellContext> context={context}>
                <ContextProvider<LocaleContext> context={locale}>
                    <KioskPage />
                </ContextProvider<LocaleContext>>
            </ContextProvider<ShellContext>>
        };
    }

    html! {
        <ContextProvider<ShellContext> context={context}>
            <div class={classes!("app", shell.view_only.is_some().then_some("app--view-only"))}>
                <Nav current={route.section()} team={shell.team_view} />
                <div class="app__body">
                    <TopBar title={title} back={back} sync={shell.sync_badge()} conflicts={shell.conflicts} />
                    if let Some(org) = &shell.view_only {
                        <p id="view-only" class="banner banner--info banner--inline view-only" role="status">
                            { format!("View only: you are a viewer in {org}. You can look at everything shared with you; an admin can make you an agent to change things.") }
                        </p>
                    }
                    <main id="main" class={classes!("app__main", format!("app__main--{}", route.section().key()))}>
                        <ContextProvider<LocaleContext> context={locale}>
                            <Page route={route} />
                        </ContextProvider<LocaleContext>>
                    </main>
                    if let Some(opened) = shell.new_contact {
                        <NewContactDialog key={opened.to_string()} />
                    }
                    if let Some((record, name)) = shell.undo.clone() {
                        <UndoDelete {record} name={AttrValue::from(name)} />
                    }
                </div>
            </div>
        </ContextProvider<ShellContext>>
    }
}
