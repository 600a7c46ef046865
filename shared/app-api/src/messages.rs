//! Outbound messages: written on the device (offline too) and sent by the sync server, which
//! writes the result back; the app lists them on the contact with where each stands.

use super::Api;
use fieldstone_model::{ContactId, Message, MessageId, MessageInput};
use fieldstone_protocol::commands::CommandError;
use fieldstone_protocol::views::{MessageSummary, MESSAGE_PAGE_MAX};
use fieldstone_replica::ReplicaError;

impl Api {
    /// Queues an email or a text to a contact, written by the signed-in agent. It goes out when
    /// the sync server has it; offline, it waits in the outbox.
    pub async fn queue_message(&self, input: MessageInput) -> Result<Message, CommandError> {
        let by = self.user();
        self.write(move |r| r.queue_message(&input, by)).await
    }

    pub async fn get_message(&self, id: MessageId) -> Result<Message, CommandError> {
        self.read(move |r| {
            r.get_message(&id)?.ok_or_else(|| ReplicaError::NotFound {
                what: format!("message {id}"),
            })
        })
        .await
    }

    /// Withdraws a message that still waits to be sent; refused once the server took it.
    pub async fn withdraw_message(&self, id: MessageId) -> Result<Message, CommandError> {
        self.write(move |r| r.withdraw_message(&id)).await
    }

    /// The contact's messages, newest first.
    pub async fn contact_messages(
        &self,
        contact: ContactId,
    ) -> Result<Vec<MessageSummary>, CommandError> {
        self.read(move |r| r.contact_messages(&contact, MESSAGE_PAGE_MAX))
            .await
    }
}
