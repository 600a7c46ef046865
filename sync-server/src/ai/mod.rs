//! Interactive AI (DESIGN decision 13's exception: a person is waiting, so a request and an
//! answer, not an intent): drafting a follow-up email and enhancing a text, through an
//! OpenAI-compatible provider: the organisation's own, else the server's (chosen by the route).
//!
//! What the prompt may hold, how an answer is read and the templates are pure rules in
//! `fieldstone_model::drafting`; this module only asks. Whatever goes wrong — no provider, AI
//! switched off, an error, a timeout, an answer that cannot be used — the agent gets the
//! template (or the text unchanged) with a notice, never an error. A draft is a preview: it
//! is not sent, and nothing records it as sent.

mod client;
mod config;

pub use client::{ChatClient, ProviderError};
pub(crate) use config::{default_max_tokens, default_temperature, default_timeout_secs};
pub use config::{AiConfig, KeyHeader};

use fieldstone_model::drafting::{
    draft_prompt, enhance_prompt, parse_draft, parse_rewrite, Draft, DraftFacts, Enhanced,
    Fallback, Tone,
};
use fieldstone_model::TaskKind;

/// Which model answers for `org`: its own provider, else the server's `[ai]`; or why none
/// will (its admins switched AI off, none is set up, its own cannot be used). Blocking.
pub fn config_for(
    state: &crate::AppState,
    org: fieldstone_model::OrgId,
) -> Result<AiConfig, Fallback> {
    use crate::providers::OrgAi;
    let timeout = state.config.http.request_timeout_secs;
    match state.providers.ai(state.store.as_ref(), org, timeout) {
        Ok(Some(own)) => match own.as_ref() {
            OrgAi::Off => Err(Fallback::Disabled),
            OrgAi::Provider(config) => Ok(config.clone()),
        },
        Ok(None) => state.config.ai.clone().ok_or(Fallback::NotConfigured),
        Err(error) => {
            // Never the server's instead: the organisation chose where its contacts' facts go.
            tracing::error!(%error, %org, "the organisation's AI provider cannot be used");
            Err(Fallback::NotConfigured)
        }
    }
}

/// The provider to ask, or why there is none.
fn provider(config: Result<&AiConfig, Fallback>) -> Result<ChatClient, Fallback> {
    let config = config?;
    if !config.enabled {
        return Err(Fallback::Disabled);
    }
    ChatClient::new(config).map_err(|error| {
        // Checked at start-up, so only a configuration changed under a running server.
        tracing::error!(%error, "the AI provider is configured but cannot be used");
        Fallback::NotConfigured
    })
}

/// How a provider's failure reads to the agent.
fn fallback_for(error: &ProviderError) -> Fallback {
    match error {
        ProviderError::Timeout(_) => Fallback::Timeout,
        _ => Fallback::Failed,
    }
}

/// A draft of the follow-up `kind` for the contact described by `facts`, signed by
/// `agent_name`, from the model `config` names; the template when there is none (with why) or
/// it cannot write it.
pub async fn draft(
    config: Result<&AiConfig, Fallback>,
    kind: TaskKind,
    facts: &DraftFacts,
    instructions: Option<&str>,
    agent_name: &str,
) -> Draft {
    let template = |why| Draft::template(kind, &facts.first_name, agent_name, why);
    let client = match provider(config) {
        Ok(client) => client,
        Err(why) => return template(why),
    };
    let answer = match client
        .complete(&draft_prompt(kind, facts, instructions))
        .await
    {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%error, kind = %kind, "AI draft failed; answering the template");
            return template(fallback_for(&error));
        }
    };
    match parse_draft(&answer) {
        Ok(text) => {
            tracing::info!(kind = %kind, "AI draft written (a preview, not sent)");
            Draft::ai(text, agent_name)
        }
        Err(problem) => {
            tracing::warn!(%problem, kind = %kind, "AI draft unusable; answering the template");
            template(Fallback::Failed)
        }
    }
}

/// `text` rewritten in `tone` by the model `config` names; the text unchanged when there is
/// none or it cannot rewrite it.
pub async fn enhance(config: Result<&AiConfig, Fallback>, text: String, tone: Tone) -> Enhanced {
    let client = match provider(config) {
        Ok(client) => client,
        Err(why) => return Enhanced::unchanged(text, why),
    };
    let answer = match client.complete(&enhance_prompt(&text, tone)).await {
        Ok(answer) => answer,
        Err(error) => {
            tracing::warn!(%error, tone = %tone, "AI enhance failed; text unchanged");
            return Enhanced::unchanged(text, fallback_for(&error));
        }
    };
    match parse_rewrite(&answer) {
        Ok(rewrite) => Enhanced::ai(text, rewrite),
        Err(problem) => {
            tracing::warn!(%problem, tone = %tone, "AI rewrite unusable; text unchanged");
            Enhanced::unchanged(text, Fallback::Failed)
        }
    }
}
