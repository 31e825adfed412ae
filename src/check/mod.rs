//! Pure judging: `(Expected, &Call, &Behaviour) -> Vec<Finding>`, one file per concern, each check
//! with a stable id and a citation. No I/O.

pub mod shape;
