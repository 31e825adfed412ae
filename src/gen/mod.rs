//! Every proptest strategy: values (case variants, Unicode, bogus ids), filters, PATCH bodies,
//! and operation sequences whose preconditions hold on the model.

pub mod filter;
