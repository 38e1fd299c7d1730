#include "framework/core/check.h"

namespace ptq {

void throw_internal(const char* file, int line, const std::string& what) {
  throw InternalError(fmt::format("internal error at {}:{}: {} (this is a bug in ptq; please report it)",
                                  file, line, what));
}

}  // namespace ptq
