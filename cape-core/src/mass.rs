//! *Mass Processing*: the dated Chapter 99 catalogue and the removal of IEEPA duty.
