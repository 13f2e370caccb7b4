//! The plans on any host.

mod lacp;
mod master_order;
mod membership;
