//! Every proptest strategy: values (case variants, Unicode, bogus ids), filters, PATCH bodies,
//! and operation sequences whose preconditions hold on the model.

mod directed;
pub mod filter;
mod model_filter;
mod ops;

pub use directed::directed_cases;
pub use model_filter::{filter, list_query};
pub use ops::{group_handle, lookup_spelling, op, op_sequence, user_handle, GenConfig};
