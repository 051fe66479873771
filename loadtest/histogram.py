"""Log-bucket latency histogram (HdrHistogram's bucketing, 2 significant digits).

The Rust harness (templates/stats.rs) and the Python driver bucket with the same rule, so
a summary's `buckets` can be read back here and percentiles computed the same way:

    v < 2^S                 -> index v                      (exact)
    v >= 2^S, m = log2(v)-S+1 -> index m*H + (v >> m)       (H = 2^(S-1); v>>m in [H, 2H))

S = 8 gives <= 0.8 % relative error; a u64 range needs (64 - S + 2) * H buckets."""

from __future__ import annotations

from dataclasses import dataclass, field

SUB_BITS = 8
HALF = 1 << (SUB_BITS - 1)


def bucket_of(v: int) -> int:
    if v < (1 << SUB_BITS):
        return v
    m = v.bit_length() - SUB_BITS
    return m * HALF + (v >> m)


def bucket_bounds(index: int) -> tuple[int, int]:
    """Smallest and largest value that land in `index`."""
    if index < 2 * HALF:
        return index, index
    m = index // HALF - 1
    q = index - m * HALF
    return q << m, ((q + 1) << m) - 1


@dataclass
class Histogram:
    counts: dict[int, int] = field(default_factory=dict)
    total: int = 0
    min: int = 0
    max: int = 0

    def record(self, v: int) -> None:
        i = bucket_of(v)
        self.counts[i] = self.counts.get(i, 0) + 1
        if self.total == 0 or v < self.min:
            self.min = v
        if v > self.max:
            self.max = v
        self.total += 1

    def merge(self, other: Histogram) -> None:
        for i, c in other.counts.items():
            self.counts[i] = self.counts.get(i, 0) + c
        if other.total:
            self.min = other.min if self.total == 0 else min(self.min, other.min)
            self.max = max(self.max, other.max)
        self.total += other.total

    @classmethod
    def from_summary(cls, data: dict) -> Histogram:
        """Read `{"sub_bits", "min", "max", "buckets": [[index, count], ...]}`."""
        if data.get("sub_bits", SUB_BITS) != SUB_BITS:
            raise ValueError(f"histogram sub_bits {data['sub_bits']} != {SUB_BITS}")
        h = cls({int(i): int(c) for i, c in data.get("buckets", [])})
        h.total = sum(h.counts.values())
        h.min, h.max = int(data.get("min", 0)), int(data.get("max", 0))
        return h

    def to_summary(self) -> dict:
        return {"sub_bits": SUB_BITS, "min": self.min, "max": self.max,
                "buckets": sorted([i, c] for i, c in self.counts.items())}  # fmt: skip

    def percentile(self, q: float) -> int:
        """Highest value equivalent to the q-th percentile (0 < q <= 100), capped at max."""
        if self.total == 0:
            return 0
        rank = max(1, -(-self.total * q // 100))  # ceil, at least the first sample
        seen = 0
        for i in sorted(self.counts):
            seen += self.counts[i]
            if seen >= rank:
                return min(bucket_bounds(i)[1], self.max)
        return self.max

    def percentile_curve(self) -> list[tuple[float, int]]:
        """(percentile, value) points for a latency-by-percentile chart (log-spaced tail)."""
        points = []
        for nines in range(0, 50):
            q = 100.0 * (1 - 10 ** (-nines / 10))
            if self.total and (1 - q / 100) * self.total < 0.5:
                break
            points.append((q, self.percentile(max(q, 1e-9))))
        points.append((100.0, self.max))
        return points
