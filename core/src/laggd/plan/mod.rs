//! What laggd does to an aggregate, decided without touching the kernel:
//! each OS backend reads the aggregate, asks here, and carries out the
//! answer. One module per kind of aggregate, since their drivers differ
//! in what "out of service" can mean.
//!
//! | module      | aggregate                | a failed port                  |
//! |-------------|--------------------------|--------------------------------|
//! | [`lagg`]    | FreeBSD lagg(4)          | leaves the lagg; failover's    |
//! |             |                          | master order is kept           |
//! | [`bonding`] | Linux bonding            | another active slave where the |
//! |             |                          | mode has one; else released    |

pub mod bonding;
pub mod lagg;
