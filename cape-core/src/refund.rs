//! *Refund*: the business-day calendar and interest on refunds under 19 USC 1505.
