// Process memory figures for reports and benchmarks (Linux /proc; 0 where unavailable).
#pragma once

#include <cstdint>

namespace ptq {

// Peak resident set size of this process (VmHWM), in bytes.
int64_t peak_rss_bytes();
// Current resident set size (VmRSS), in bytes.
int64_t current_rss_bytes();
// Resets the peak to the current RSS (writes "5" to /proc/self/clear_refs), so a later
// peak_rss_bytes() measures one phase. Returns false where the kernel does not allow it.
bool reset_peak_rss();

}  // namespace ptq
