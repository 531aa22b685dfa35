//! One small seeded generator for everything that must come out the same on every run
//! (training order, evaluation copies, benchmark rules): not for anything secret.

/// A 64-bit linear congruential generator (Knuth's MMIX constants), high bits out.
#[derive(Debug, Clone)]
pub struct Lcg(pub u64);

impl Lcg {
    /// The next 31 random bits.
    pub fn next_u31(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u31() % n as u64) as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_gives_the_same_sequence_and_stays_in_range() {
        let (mut a, mut b) = (Lcg(7), Lcg(7));
        let xs: Vec<usize> = (0..100).map(|_| a.below(10)).collect();
        assert_eq!(xs, (0..100).map(|_| b.below(10)).collect::<Vec<_>>());
        assert!(xs.iter().all(|&x| x < 10));
        assert!((0..10).all(|d| xs.contains(&d)), "{xs:?}");
        assert_ne!(Lcg(8).next_u31(), Lcg(7).next_u31());
    }
}
