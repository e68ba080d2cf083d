//! The named `data` of a success answer, as `call()` returns it: shared by the plain operations
//! ([`super::send`]) and the uploads ([`super::upload`]).

use proc_macro2::TokenStream;
use quote::quote;

/// The named `data` of a success answer: what `call()` returns.
pub struct Data {
    /// Its Rust type (`types::ChatGetResponseData`).
    pub ty: TokenStream,
    /// Whether the envelope's schema requires it (else the answer's field is an `Option`).
    pub required: bool,
}

impl Data {
    /// The expression turning `sent` (a `Result<ResponseValue<answer>, Error>`) into the data:
    /// an answer without it is `Error::NoData` naming `id`.
    pub fn take(&self, sent: TokenStream, answer: &TokenStream, id: &str) -> TokenStream {
        if self.required {
            quote!(Ok(#sent?.into_inner().data))
        } else {
            quote!(crate::runtime::data(#sent, #id, |answer: #answer| answer.data))
        }
    }
}
