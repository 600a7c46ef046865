//! Open-house sign-in (kiosk mode): the device's lock and each visitor, all on the device so it
//! works in a basement; the visitors reach the server by ordinary sync.

use super::Api;
use fieldstone_model::sign_in::SignIn;
use fieldstone_model::ListingId;
use fieldstone_protocol::commands::{CommandError, EndKiosk, Kiosk, SignedIn, StartKiosk};
use fieldstone_replica::KioskState;

fn kiosk(state: KioskState) -> Kiosk {
    Kiosk {
        listing: state.listing,
        place: state.place,
        consent_text: state.consent_text,
        started_at: state.started_at,
        visitors: state.visitors,
    }
}

impl Api {
    /// The running kiosk, if this device is locked to one (also after a restart).
    pub async fn kiosk(&self) -> Result<Option<Kiosk>, CommandError> {
        Ok(self.read(|r| r.kiosk()).await?.map(kiosk))
    }

    /// Locks the device to the listing's sign-in form until `end_kiosk` with the PIN. A viewer
    /// cannot: the visitors would be records they may not write.
    pub async fn start_kiosk(&self, request: StartKiosk) -> Result<Kiosk, CommandError> {
        self.check_writable()?;
        let state = self
            .read(move |r| r.start_kiosk(request.listing, &request.pin))
            .await?;
        Ok(kiosk(state))
    }

    /// A visitor signs in, as a lead of the agent using the device, from this device (its name
    /// is recorded with the visit).
    pub async fn kiosk_sign_in(&self, visitor: SignIn) -> Result<SignedIn, CommandError> {
        let by = self.user();
        let device = self.settings.get().device_name;
        let planning = if self.plans_kiosk_visitors() {
            Some(self.planning().await?)
        } else {
            None
        };
        let visit = self
            .write(move |r| r.kiosk_sign_in(&visitor, by, &device, planning.as_ref()))
            .await?;
        Ok(SignedIn {
            contact: visit.contact.id,
            returning: visit.returning,
            given_name: visit.contact.given_name,
            visitors: visit.visitors,
        })
    }

    /// Ends the kiosk with its PIN; answers the listing it was for.
    pub async fn end_kiosk(&self, request: EndKiosk) -> Result<ListingId, CommandError> {
        self.read(move |r| r.end_kiosk(&request.pin)).await
    }
}
