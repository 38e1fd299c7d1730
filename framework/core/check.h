// Two kinds of failure, kept apart on purpose:
//  * PTQ_CHECK(cond, fmt, args...) — a *user* error (bad config, bad file, wrong shape). Throws
//    ptq::UserError whose message names the input, what was expected and a hint; the CLI
//    prints it and exits with status 2. Tests match these messages by substring.
//  * PTQ_INTERNAL_ASSERT(cond, fmt, args...) — a broken invariant inside ptq (a bug). Throws
//    ptq::InternalError carrying file:line, so it is never mistaken for a user mistake.
#pragma once

#include <fmt/format.h>

#include <stdexcept>
#include <string>

namespace ptq {

class UserError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class InternalError : public std::logic_error {
 public:
  using std::logic_error::logic_error;
};

[[noreturn]] void throw_internal(const char* file, int line, const std::string& what);

}  // namespace ptq

#define PTQ_CHECK(cond, ...)                                      \
  do {                                                            \
    if (!(cond)) throw ::ptq::UserError(fmt::format(__VA_ARGS__)); \
  } while (0)

#define PTQ_FAIL(...) throw ::ptq::UserError(fmt::format(__VA_ARGS__))

#define PTQ_INTERNAL_ASSERT(cond, ...)                                                  \
  do {                                                                                  \
    if (!(cond)) ::ptq::throw_internal(__FILE__, __LINE__, fmt::format(__VA_ARGS__)); \
  } while (0)
