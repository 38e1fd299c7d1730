#include "framework/results/sqlite_db.h"

#include "framework/core/check.h"

#include <sqlite3.h>

#include <cmath>
#include <filesystem>

namespace ptq::sql {

Database::Database(const std::string& path, bool create) : path_(path) {
  namespace fs = std::filesystem;
  if (!create)
    PTQ_CHECK(fs::exists(path), "results store '{}' does not exist; run a sweep (ptq sweep) or collect runs "
              "(ptq results --collect DIR) first", path);
  if (create && fs::path(path).has_parent_path()) {
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
  }
  const int flags = (create ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY) | SQLITE_OPEN_FULLMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    const std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    PTQ_FAIL("cannot open the results store '{}': {}; check the path and its permissions", path, msg);
  }
  sqlite3_busy_timeout(db_, 30000);
  if (create) exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;");
}

Database::~Database() { sqlite3_close(db_); }

void Database::fail(const std::string& what) const {
  PTQ_FAIL("results store '{}': {} failed: {}; if the file is damaged, move it away and rebuild it with "
           "ptq results --collect RUN_DIRS",
           path_, what, sqlite3_errmsg(db_));
}

void Database::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    const std::string msg = err ? err : "?";
    sqlite3_free(err);
    PTQ_FAIL("results store '{}': '{}' failed: {}; if the file is damaged, move it away and rebuild it with "
             "ptq results --collect RUN_DIRS",
             path_, sql.substr(0, 60), msg);
  }
}

std::vector<Row> Database::query(const std::string& sql, const std::vector<Value>& params) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) fail("preparing '" + sql.substr(0, 60) + "'");
  struct Finalize {
    sqlite3_stmt* s;
    ~Finalize() { sqlite3_finalize(s); }
  } finalize{st};
  for (size_t i = 0; i < params.size(); ++i) {
    const int idx = static_cast<int>(i + 1);
    int rc = SQLITE_OK;
    if (std::holds_alternative<std::nullptr_t>(params[i])) rc = sqlite3_bind_null(st, idx);
    else if (auto* n = std::get_if<int64_t>(&params[i])) rc = sqlite3_bind_int64(st, idx, *n);
    else if (auto* d = std::get_if<double>(&params[i])) rc = std::isfinite(*d) ? sqlite3_bind_double(st, idx, *d)
                                                                               : sqlite3_bind_null(st, idx);
    else {
      const auto& s = std::get<std::string>(params[i]);
      rc = sqlite3_bind_text(st, idx, s.data(), static_cast<int>(s.size()), SQLITE_TRANSIENT);
    }
    if (rc != SQLITE_OK) fail("binding a parameter");
  }
  std::vector<Row> rows;
  for (;;) {
    const int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) break;
    if (rc != SQLITE_ROW) fail("'" + sql.substr(0, 60) + "'");
    Row row;
    for (int c = 0; c < sqlite3_column_count(st); ++c) {
      switch (sqlite3_column_type(st, c)) {
        case SQLITE_INTEGER: row.emplace_back(static_cast<int64_t>(sqlite3_column_int64(st, c))); break;
        case SQLITE_FLOAT: row.emplace_back(sqlite3_column_double(st, c)); break;
        case SQLITE_NULL: row.emplace_back(nullptr); break;
        default: {
          const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
          row.emplace_back(std::string(text ? text : "", static_cast<size_t>(sqlite3_column_bytes(st, c))));
        }
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

Transaction::Transaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (done_) return;
  try {
    db_.exec("ROLLBACK");
  } catch (...) {
  }
}

void Transaction::commit() {
  db_.exec("COMMIT");
  done_ = true;
}

std::string as_text(const Value& v) {
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  if (auto* n = std::get_if<int64_t>(&v)) return std::to_string(*n);
  if (auto* d = std::get_if<double>(&v)) return fmt::format("{}", *d);
  return "";
}

double as_double(const Value& v) {
  if (auto* n = std::get_if<int64_t>(&v)) return static_cast<double>(*n);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* s = std::get_if<std::string>(&v)) {
    try {
      return std::stod(*s);
    } catch (...) {
    }
  }
  return NAN;
}

}  // namespace ptq::sql
