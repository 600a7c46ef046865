//! The one list of the app's commands. Each entry names a command (which is also the name of
//! its method on the app API, `fieldstone_app_api::Api`), the request it takes and the
//! response it answers with; every command fails with a [`CommandError`](crate::commands::CommandError).
//!
//! Everything that used to list the commands by hand is expanded from [`app_commands!`]: the
//! shell's Tauri wrappers and handler list, the permission list its build script declares (and
//! the capability it writes from it), the app API's in-process dispatch, and the UI's typed
//! calls. So adding a command is: an entry here, the API method, and the screen that calls it.
//!
//! Conventions (unchanged from before the table): every command takes at most one argument,
//! named `request` (`{ request }` on the JS side; a command without a request is called with
//! `{}`), and commands about one record take its id as the request.

/// Every type a command's request or response is written with in [`app_commands!`]. A
/// consumer of the table glob-imports this module where it expands the table, so the entries
/// can stay short (`get_contact(ContactId) -> ContactDetail`).
pub mod types {
    pub use crate::account::OrgUsage;
    pub use crate::calls::{CallPlaced, PlaceCall};
    pub use crate::campaigns::{
        AudienceSize, CampaignPreview, CampaignReview, CampaignSummary, PastedList,
        PreviewCampaign, SaveCampaign, SetCampaignStatus,
    };
    pub use crate::commands::*;
    pub use crate::views::{
        BookingSummary, BuyerFit, BuyerMatches, ContactPage, ContactQuery, CustomFieldName,
        DuplicateGroup, FieldConflict, ImportReport, ListingActivity, ListingCounts, ListingQuery,
        ListingSummary, ListingTour, MatchSuggestion, MessageSummary, TimelinePage,
    };
    pub use fieldstone_model::campaign::audience::Audience;
    pub use fieldstone_model::campaign::record::{Campaign, CampaignId};
    pub use fieldstone_model::campaign::CampaignInput;
    pub use fieldstone_model::drafting::{Draft, DraftRequest, EnhanceRequest, Enhanced};
    pub use fieldstone_model::follow_up::AutoSend;
    pub use fieldstone_model::sign_in::SignIn;
    pub use fieldstone_model::{
        Booking, BookingId, BookingInput, Contact, ContactId, ContactInput, FollowUpSettings,
        Interaction, InteractionInput, Listing, ListingId, ListingInput, Locale, Message,
        MessageId, MessageInput, Note, NoteInput, RecordRef, Task, TaskInput,
    };
}

/// Calls the macro named `$then` with every command, one entry each:
///
/// ```text
/// $(#[doc])* name(Request) -> Response;   // a command with a request
/// $(#[doc])* name() -> Response;          // one without
/// ```
///
/// The types are written as [`types`] names them: expand where `types::*` is imported. `()` as
/// a response means an empty answer.
///
/// ```
/// use fieldstone_protocol::table::types::*;
///
/// macro_rules! count {
///     ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
///         [$(stringify!($name)),+].len()
///     };
/// }
/// assert_eq!(fieldstone_protocol::app_commands!(count), fieldstone_protocol::table::COMMAND_NAMES.len());
/// ```
#[macro_export]
macro_rules! app_commands {
    ($then:ident) => {
        $then! {
            // Today
            today(TodayRequest) -> Today;

            // Contacts
            list_contacts(ContactQuery) -> ContactPage;
            contact_counts(ContactQuery) -> ContactCounts;
            get_contact(ContactId) -> ContactDetail;
            create_contact(ContactInput) -> Contact;
            update_contact(UpdateContact) -> Contact;
            delete_contact(ContactId) -> Contact;
            restore_contact(ContactId) -> Contact;
            bulk_tag(BulkTag) -> BulkResult;
            bulk_stage(BulkStage) -> BulkResult;
            smart_lists() -> Vec<SmartList>;
            save_smart_list(SaveSmartList) -> SmartList;
            /// Takes the smart list's id.
            delete_smart_list(String) -> ();
            /// The custom field names used on contacts, with their types, the most used first.
            custom_field_names() -> Vec<CustomFieldName>;
            upload_chunk(UploadChunk) -> Uploaded;
            /// Takes the upload id and, to read it otherwise, an encoding and a mapping.
            import_preview(PreviewRequest) -> ImportPreview;
            /// Emits `import-progress` events while it runs.
            import_contacts(ImportRequest) -> ImportReport;
            export(ExportRequest) -> ExportDone;
            /// Read on a reader connection: a write never waits for it.
            duplicate_groups(u32) -> Vec<DuplicateGroup>;
            /// The two contacts side by side, with their timelines counted.
            merge_preview(MergeRequest) -> MergePreview;
            merge_contacts(MergeRequest) -> MergeReceipt;
            /// Takes the merge's id (from its receipt).
            undo_merge(String) -> ();

            // Pipeline
            pipeline(PipelineRequest) -> Pipeline;
            move_stage(MoveStage) -> Contact;

            // Contact detail
            timeline(TimelineRequest) -> TimelinePage;
            add_note(NoteInput) -> Note;
            log_interaction(InteractionInput) -> Interaction;
            create_task(TaskInput) -> Task;
            update_task(UpdateTask) -> Task;
            /// Completes, skips, cancels or reopens a task; a note says what happened (kept on
            /// the contact's timeline).
            set_task_status(SetTaskStatus) -> Task;
            /// Sends a drafted follow-up (Ready to send on Today) with the agent's edits: a new
            /// message queued, the draft set aside, the follow-up completed.
            send_draft(SendDraft) -> Message;
            /// Skips a drafted follow-up: set aside, and the follow-up skipped.
            skip_draft(MessageId) -> ();
            /// Starts the contact's follow-up plan from now (refused while one is running).
            start_follow_ups(ContactId) -> Vec<Task>;
            /// Switches the contact's follow-up plan off: its open steps are cancelled.
            stop_follow_ups(ContactId) -> Vec<Task>;
            conflicts(RecordRef) -> Vec<FieldConflict>;
            /// Answers the conflicts left on the record.
            resolve_conflict(ResolveConflict) -> Vec<FieldConflict>;
            conflicted_docs() -> Vec<ConflictedDoc>;

            // Calendar
            bookings_between(BookingWindow) -> Vec<BookingSummary>;
            check_overlaps(OverlapCheck) -> Vec<BookingSummary>;
            get_booking(BookingId) -> Booking;
            create_booking(BookingInput) -> BookingSaved;
            update_booking(UpdateBooking) -> BookingSaved;
            delete_booking(BookingId) -> Booking;

            // Listings
            list_listings(ListingQuery) -> Vec<ListingSummary>;
            /// Per status, with the query's other filters: the status chips' counts.
            listing_counts(ListingQuery) -> ListingCounts;
            get_listing(ListingId) -> Listing;
            create_listing(ListingInput) -> Listing;
            update_listing(Update<ListingId, ListingInput>) -> Listing;
            /// Marks the listing deleted (kept, so it can be restored); bookings keep their link.
            delete_listing(ListingId) -> Listing;
            restore_listing(ListingId) -> Listing;
            /// Its bookings and the calls and messages logged about it.
            listing_activity(ListingId) -> ListingActivity;
            add_photo(AddPhoto) -> StoredPhoto;
            photo(PhotoRequest) -> Photo;
            /// The public page's figures for the last 30 days (asked of the server).
            listing_tour(ListingId) -> ListingTour;

            // Property match (on the device, over the listings and buyers it holds)
            /// The contact's best listings with why each fits (or that they name nothing to
            /// match on yet).
            listing_matches(ContactId) -> BuyerMatches;
            /// The buyers the listing fits, best first.
            listing_buyers(ListingId) -> Vec<BuyerFit>;
            /// New or changed listings this week that fit the user's buyers well (Today).
            match_suggestions() -> Vec<MatchSuggestion>;
            /// Hides one suggested buyer of a listing until the listing changes again.
            dismiss_match(DismissMatch) -> ();

            // Messages (intents the sync server sends)
            /// Queued on the device; sent by the server once it has it.
            queue_message(MessageInput) -> Message;
            get_message(MessageId) -> Message;
            /// Only while it waits to be sent.
            withdraw_message(MessageId) -> Message;
            contact_messages(ContactId) -> Vec<MessageSummary>;

            // Campaigns (written here, offline too; the sync server runs them)
            /// This device's campaigns, newest first.
            list_campaigns() -> Vec<CampaignSummary>;
            get_campaign(CampaignId) -> Campaign;
            /// Saves a new campaign as a draft, or a draft's (or paused one's) content.
            save_campaign(SaveCampaign) -> Campaign;
            /// How many of this device's contacts the audience holds, and a few of them.
            campaign_audience(Audience) -> AudienceSize;
            /// Matches a pasted list (one person a line) against this device's contacts.
            match_pasted_list(String) -> PastedList;
            /// A variation's subject and body filled for a real contact of the audience.
            preview_campaign(PreviewCampaign) -> CampaignPreview;
            /// The audience now, what the campaign sends, and why it cannot launch yet.
            review_campaign(CampaignInput) -> CampaignReview;
            /// Launches a draft (checked as the review does), pauses, resumes or stops.
            set_campaign_status(SetCampaignStatus) -> Campaign;

            // Calls (the server rings the agent's phone, then the contact)
            /// Asks the server to ring the agent's own phone and bridge the contact, when
            /// signed in, online and the agent's phone is set; otherwise, or when the server
            /// has no telephony, answers to dial from the device. A refusal says which rule.
            place_call(PlaceCall) -> CallPlaced;

            // AI (asks the sync server; offline, a labelled template at once)
            /// A draft email for the contact's follow-up step: a preview to edit, never sent
            /// by itself.
            draft_email(DraftRequest) -> Draft;
            /// The text rewritten in a tone, beside the original.
            enhance_text(EnhanceRequest) -> Enhanced;

            // Settings and account
            /// The agent's locale and smart lists (following them to their other devices when
            /// signed in).
            preferences() -> Preferences;
            set_locale(Locale) -> Preferences;
            /// The agent's own phone, as they type it (checked, kept as E.164); empty clears it.
            set_agent_phone(String) -> Preferences;
            /// Whether the server emails them the weekly report (signed in only: it follows them).
            set_weekly_report(WeeklyReportChoice) -> Preferences;
            /// Turns the calendar feed on or off, or gives it a new address (signed in only:
            /// the server serves it).
            set_calendar_feed(CalendarFeedChange) -> Preferences;
            /// The calendar feed's address, asked of the server (online; once the choice has
            /// synced).
            calendar_feed_link() -> CalendarFeedLink;
            /// What the agent lets the server send without review when a follow-up falls due
            /// (contacts, sources); nothing until they choose.
            follow_up_auto_send() -> AutoSend;
            /// Changes it (signed in only: the server sends).
            set_follow_up_auto_send(AutoSend) -> AutoSend;
            /// The zone the agent works in (an IANA name); empty goes back to the device's.
            set_time_zone(String) -> Preferences;
            /// The organisation's follow-up plan as this device has it (synced; the standard
            /// plan before the first sync).
            follow_up_plan() -> FollowUpSettings;
            /// Changes the organisation's follow-up plan (admins; asks the sync server, which
            /// checks it and sends it to every device).
            set_follow_up_plan(FollowUpSettings) -> FollowUpSettings;
            account() -> Account;
            sign_in(SignInRequest) -> Account;
            /// Accepts an invitation (its link, or the server and its secret) with the name and
            /// password chosen, and signs this device in as the new account.
            accept_invitation(AcceptInvitation) -> Account;
            sign_out() -> Account;
            set_device_name(String) -> Account;
            about() -> About;
            device_records() -> DeviceRecords;
            /// The organisation's plan and this month's use of each allowance (asks the sync
            /// server: signed out or offline, an error that says so).
            org_usage() -> OrgUsage;
            /// The plan's cap on leads and the organisation's contacts as this device knows
            /// them (the last plan the server said, when offline), for a warning before a
            /// contact is written past it.
            lead_room() -> LeadRoom;

            // Open-house sign-in (kiosk mode; on the device, works offline)
            /// The running kiosk, if this device is locked to one.
            kiosk() -> Option<Kiosk>;
            /// Locks the device to the listing's sign-in form until `end_kiosk` with the PIN.
            start_kiosk(StartKiosk) -> Kiosk;
            /// A visitor signs in: a new lead, or a visit on the contact with their email or
            /// phone, linked to the listing with the consent text they saw.
            kiosk_sign_in(SignIn) -> SignedIn;
            /// Answers the listing the kiosk was for; a wrong PIN is refused (and, after five,
            /// for a minute).
            end_kiosk(EndKiosk) -> ListingId;

            // The broker's Team screen and lead routing
            /// Each agent's numbers over the period, from this device's records (brokers and
            /// admins; works offline, named from the server's member list when it answers).
            team(TeamPeriod) -> TeamReport;
            /// The team's open leads, one agent's or all, with whose they are (named, and
            /// judged late, as the last `team` remembered: read it after `team`).
            team_pipeline(TeamPipelineQuery) -> Vec<TeamLead>;
            /// Moves a lead to another agent (brokers and admins; asks the sync server, which
            /// hands the lead over so the new agent's devices receive it).
            reassign_lead(Reassign) -> Reassigned;
            /// Leads the server offered this agent to claim, and the pond (asks the server;
            /// offline, an empty list).
            lead_offers() -> Vec<LeadOffer>;
            /// Takes an offered lead; a lead someone else claimed first is refused naming who.
            claim_lead(ContactId) -> Claimed;

            // Sync (the status is also pushed as `sync-status` events)
            sync_status() -> SyncStatus;
            sync_now() -> SyncStatus;
            sync_notices() -> Vec<SyncNotice>;
            /// Takes the notice's id.
            dismiss_notice(i64) -> ();

            // Sharing (asks the sync server: needs a connection, answers within seconds)
            /// Teammates and teams to share with, and who has the contact now.
            share_targets(ContactId) -> ShareTargets;
            share_contact(ShareContact) -> Shared;
            /// Takes a current share's scope; the owner's cannot be removed.
            unshare_contact(UnshareContact) -> Shared;
        }
    };
}

macro_rules! names {
    ($( $(#[$meta:meta])* $name:ident($($request:ty)?) -> $response:ty; )+) => {
        &[$(stringify!($name)),+]
    };
}

/// Every command's name, in the table's order: what the shell's build script turns into
/// permissions (`allow-<name>`) and grants to the main window.
pub const COMMAND_NAMES: &[&str] = {
    #[allow(unused_imports)] // the entries' types are only stringified here
    use types::*;
    app_commands!(names)
};

#[cfg(test)]
mod tests {
    use super::COMMAND_NAMES;
    use std::collections::BTreeSet;

    #[test]
    fn every_command_has_one_snake_case_name() {
        let unique: BTreeSet<&str> = COMMAND_NAMES.iter().copied().collect();
        assert_eq!(
            unique.len(),
            COMMAND_NAMES.len(),
            "a command is listed twice"
        );
        for name in COMMAND_NAMES {
            // Tauri's permission for `a_b` is `allow-a-b`: anything else would not map back.
            assert!(
                !name.is_empty()
                    && name
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
                    && !name.starts_with('_'),
                "{name:?} is not a snake_case command name"
            );
        }
    }
}
