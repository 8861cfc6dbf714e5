//! Newtype ids, so that a person's id can never be passed where an asset's is meant.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

macro_rules! id {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
        #[serde(transparent)]
        #[ts(export, type = "number")]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id!(OrganisationId, SiteId, PersonId, AccountId, AssetId, LoanId);
