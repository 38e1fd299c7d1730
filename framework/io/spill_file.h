// Unlinked scratch files for data that may not fit in memory (spilled activation-cache entries,
// large calibration sets). A spill file is created in the configured folder (else $TMPDIR,
// else /tmp), unlinked at once so it never outlives the process, and reserved in full up front
// (posix_fallocate) so that a full disk is reported before any work goes into it, naming what
// it was for and which settings move it elsewhere.
#pragma once

#include <cstdint>
#include <string>

namespace ptq::io {

// The folder spill files go to: `configured`, else $TMPDIR, else /tmp.
std::string spill_directory(const std::string& configured);

// A descriptor of a new, unlinked file of `bytes` bytes (reserved on disk) in
// spill_directory(configured_dir). Errors read "<what>: cannot ... (<fix>)", with `fix` naming
// the settings that help, e.g. "set method.cache.spill_dir to a folder on a larger disk, or
// raise method.cache.memory_mb". The caller closes the descriptor.
int create_spill_file(const std::string& configured_dir, int64_t bytes, const std::string& what,
                      const std::string& fix);

}  // namespace ptq::io
