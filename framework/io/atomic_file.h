// Whole-file reads and crash-safe whole-file writes.
//
// write_file_atomic(path, bytes) writes into a fresh temporary file in the *same* directory
// (".<name>.tmp.<pid>.<n>"), fsyncs it, renames it over `path` and fsyncs the directory. A
// reader therefore sees either the complete old file or the complete new one — never a
// half-written checkpoint after a crash, a full disk or a killed job. On any failure the old
// file is left untouched, the temporary is removed and a ptq::UserError names the path, the
// step that failed and the OS reason (errno text). Missing parent directories are created.
// The new file gets the default 0666 & ~umask permissions (an old file's mode is not kept).
//
// read_file(path) returns the whole file; a missing, unreadable or non-regular path is a
// UserError naming it.
#pragma once

#include <string>

namespace ptq::io {

void write_file_atomic(const std::string& path, const std::string& bytes);

// Same as write_file_atomic; the name documents intent at call sites that write text.
void write_text_atomic(const std::string& path, const std::string& text);

std::string read_file(const std::string& path);

}  // namespace ptq::io
