//! A node's own availability, in 8 bytes.
//!
//! `Option<f64>` takes 16 bytes, and a node of a big file is mostly such
//! fields. No file can give a NaN availability (the loader accepts only
//! numbers in (0, 1]), so NaN stands for "not given".

use std::fmt;

/// The probability that a node is up on its own, if the file gives one.
#[derive(Clone, Copy)]
pub struct Availability(f64);

impl Availability {
    /// Not given.
    pub const NONE: Availability = Availability(f64::NAN);

    /// `availability`, or none (a NaN is none).
    pub fn new(availability: Option<f64>) -> Self {
        Availability(availability.unwrap_or(f64::NAN))
    }

    /// The probability, if given.
    pub fn get(self) -> Option<f64> {
        (!self.0.is_nan()).then_some(self.0)
    }
}

impl Default for Availability {
    fn default() -> Self {
        Availability::NONE
    }
}

impl From<Option<f64>> for Availability {
    fn from(availability: Option<f64>) -> Self {
        Availability::new(availability)
    }
}

/// Equal when both are none, or the same number.
impl PartialEq for Availability {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for Availability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.get(), f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn none_and_numbers_read_back_as_given() {
        assert_eq!(std::mem::size_of::<Availability>(), 8);
        assert_eq!(Availability::NONE.get(), None);
        assert_eq!(Availability::new(Some(f64::NAN)).get(), None);
        for a in [0.5, 1.0, 0.999_999_999, f64::MIN_POSITIVE] {
            assert_eq!(Availability::new(Some(a)).get(), Some(a));
        }
        assert_eq!(Availability::NONE, Availability::default());
        assert_ne!(Availability::NONE, Availability::new(Some(1.0)));
        assert_eq!(format!("{:?}", Availability::new(Some(0.5))), "Some(0.5)");
    }
}
