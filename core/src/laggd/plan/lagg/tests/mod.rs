//! The plans on any host.

mod master_order;
mod membership;
