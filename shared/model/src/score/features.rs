//! What the learned score knows about a lead: a fixed list of numeric features, the same on
//! every device, each with the words the app uses to explain it.

use crate::contact::LeadSource;
use serde::{Deserialize, Serialize};

/// A response time beyond this counts as this: a lead first answered after a month is as cold
/// as one never answered, and one such outlier must not stretch the scale for all the others.
pub const RESPONSE_HOURS_MAX: f64 = 30.0 * 24.0;

/// One lead as the learned score sees it. Counts are over the contact's life up to its outcome.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LeadFeatures {
    pub source: LeadSource,
    /// Hours from the lead's arrival to the agent's first touch; `None` if never touched
    /// (counted as [`RESPONSE_HOURS_MAX`]).
    pub response_hours: Option<f64>,
    pub calls: u32,
    pub emails: u32,
    pub texts: u32,
    /// Meetings and showings.
    pub showings: u32,
    pub bookings: u32,
    pub property_views: u32,
    pub email_opens: u32,
    pub email_clicks: u32,
    /// How well the budget matches what the lead looks at, 0..=1 (1: the budget covers the
    /// properties of interest; 0: far off or no budget known). Values outside are clamped.
    pub budget_fit: f64,
}

/// One column of the learned model, in the order of [`LeadFeatures::values`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Feature {
    /// Zillow and other portals.
    SourcePortal,
    SourceWebForm,
    /// Facebook, Instagram and WhatsApp.
    SourceSocial,
    SourceReferral,
    SourceOpenHouse,
    ResponseTime,
    Calls,
    Emails,
    Texts,
    Showings,
    Bookings,
    PropertyViews,
    EmailOpens,
    EmailClicks,
    BudgetFit,
}

/// How many features a lead has.
pub const FEATURES: usize = 15;

impl Feature {
    /// Every feature, in column order. Leads entered by hand, imported or from another source
    /// have no source column of their own: they are the baseline the source columns compare to
    /// (a column for every source would be redundant with the intercept).
    pub const ALL: [Feature; FEATURES] = [
        Feature::SourcePortal,
        Feature::SourceWebForm,
        Feature::SourceSocial,
        Feature::SourceReferral,
        Feature::SourceOpenHouse,
        Feature::ResponseTime,
        Feature::Calls,
        Feature::Emails,
        Feature::Texts,
        Feature::Showings,
        Feature::Bookings,
        Feature::PropertyViews,
        Feature::EmailOpens,
        Feature::EmailClicks,
        Feature::BudgetFit,
    ];

    /// Stable machine name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Feature::SourcePortal => "source_portal",
            Feature::SourceWebForm => "source_web_form",
            Feature::SourceSocial => "source_social",
            Feature::SourceReferral => "source_referral",
            Feature::SourceOpenHouse => "source_open_house",
            Feature::ResponseTime => "response_time",
            Feature::Calls => "calls",
            Feature::Emails => "emails",
            Feature::Texts => "texts",
            Feature::Showings => "showings",
            Feature::Bookings => "bookings",
            Feature::PropertyViews => "property_views",
            Feature::EmailOpens => "email_opens",
            Feature::EmailClicks => "email_clicks",
            Feature::BudgetFit => "budget_fit",
        }
    }

    /// The feature as the subject of a sentence, and whether it takes "are" (plural).
    pub const fn noun(self) -> (&'static str, bool) {
        match self {
            Feature::SourcePortal => ("leads from portals", true),
            Feature::SourceWebForm => ("leads from your web form", true),
            Feature::SourceSocial => ("leads from social media", true),
            Feature::SourceReferral => ("referrals", true),
            Feature::SourceOpenHouse => ("open-house visitors", true),
            Feature::ResponseTime => ("response time", false),
            Feature::Calls => ("calls", true),
            Feature::Emails => ("emails", true),
            Feature::Texts => ("texts", true),
            Feature::Showings => ("showings", true),
            Feature::Bookings => ("bookings", true),
            Feature::PropertyViews => ("property views", true),
            Feature::EmailOpens => ("email opens", true),
            Feature::EmailClicks => ("email clicks", true),
            Feature::BudgetFit => ("budget fit", false),
        }
    }

    /// Which leads the feature is high for, to say which way it points.
    pub const fn when_high(self) -> &'static str {
        match self {
            Feature::SourcePortal => "leads from portals",
            Feature::SourceWebForm => "leads from your web form",
            Feature::SourceSocial => "leads from social media",
            Feature::SourceReferral => "referred leads",
            Feature::SourceOpenHouse => "open-house visitors",
            Feature::ResponseTime => "leads answered later",
            Feature::Calls => "leads you call more",
            Feature::Emails => "leads you email more",
            Feature::Texts => "leads you text more",
            Feature::Showings => "leads with more showings",
            Feature::Bookings => "leads with more bookings",
            Feature::PropertyViews => "leads who view more properties",
            Feature::EmailOpens => "leads who open more emails",
            Feature::EmailClicks => "leads who click more in emails",
            Feature::BudgetFit => "leads whose budget fits better",
        }
    }
}

impl LeadFeatures {
    /// The lead as numbers, in [`Feature::ALL`]'s order. Never NaN or infinite: an unknown or
    /// non-finite response time counts as [`RESPONSE_HOURS_MAX`] and a non-finite budget fit
    /// as 0, so bad data from one record cannot poison a whole fit.
    pub fn values(&self) -> [f64; FEATURES] {
        let group = SourceGroup::of(self.source);
        let one_hot = |g: SourceGroup| if group == g { 1.0 } else { 0.0 };
        let hours = match self.response_hours {
            Some(h) if h.is_finite() => h.clamp(0.0, RESPONSE_HOURS_MAX),
            _ => RESPONSE_HOURS_MAX,
        };
        let budget_fit = if self.budget_fit.is_finite() {
            self.budget_fit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        [
            one_hot(SourceGroup::Portal),
            one_hot(SourceGroup::WebForm),
            one_hot(SourceGroup::Social),
            one_hot(SourceGroup::Referral),
            one_hot(SourceGroup::OpenHouse),
            // Hours on a log scale: answering in 1 h rather than 5 matters far more than in 101
            // rather than 105.
            hours.ln_1p(),
            f64::from(self.calls),
            f64::from(self.emails),
            f64::from(self.texts),
            f64::from(self.showings),
            f64::from(self.bookings),
            f64::from(self.property_views),
            f64::from(self.email_opens),
            f64::from(self.email_clicks),
            budget_fit,
        ]
    }
}

/// Sources grouped so each group has enough leads per agent to learn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SourceGroup {
    Portal,
    WebForm,
    Social,
    Referral,
    OpenHouse,
    Baseline,
}

impl SourceGroup {
    // An exhaustive match: a new lead source must be placed in a group on purpose.
    const fn of(source: LeadSource) -> Self {
        match source {
            LeadSource::Zillow => SourceGroup::Portal,
            LeadSource::WebForm => SourceGroup::WebForm,
            LeadSource::Facebook | LeadSource::Instagram | LeadSource::WhatsApp => {
                SourceGroup::Social
            }
            LeadSource::Referral => SourceGroup::Referral,
            LeadSource::OpenHouse => SourceGroup::OpenHouse,
            LeadSource::Manual | LeadSource::Import | LeadSource::Other => SourceGroup::Baseline,
        }
    }
}

/// A closed lead of one agent: what was known about it, and whether it was won.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Outcome {
    pub features: LeadFeatures,
    pub won: bool,
}
