// The current time as text (strftime), for run-folder names, environment records and logs:
// local_time_text("%Y%m%d-%H%M%S") -> "20261207-163012"; utc_time_text("%Y-%m-%dT%H:%M:%SZ").
#pragma once

#include <string>

namespace ptq {

std::string local_time_text(const char* format);
std::string utc_time_text(const char* format);

}  // namespace ptq
