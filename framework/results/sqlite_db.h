// A minimal RAII wrapper over SQLite 3 (Debian's libsqlite3): open a database file, run
// statements with bound parameters, read rows, and transactions that roll back unless
// committed. Every failure is a ptq::UserError naming the file and SQLite's message.
// Durability: a rollback journal with synchronous=FULL, so a committed transaction survives a
// crash or power loss and an interrupted one leaves the database as it was before it began
// (no WAL: its shared memory does not work on the network file systems clusters use).
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

struct sqlite3;
struct sqlite3_stmt;

namespace ptq::sql {

// A bound parameter or a column value.
using Value = std::variant<std::nullptr_t, int64_t, double, std::string>;
using Row = std::vector<Value>;

class Database {
 public:
  // Opens the database at `path` for writing, creating it when missing (`create`), or read-only
  // (create=false; a missing file is an error); waits up to 30 s for other writers.
  explicit Database(const std::string& path, bool create = true);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // Runs one or more statements without parameters (schema, pragmas).
  void exec(const std::string& sql);
  // Runs one statement with parameters ?1, ?2, ... and returns every result row.
  std::vector<Row> query(const std::string& sql, const std::vector<Value>& params = {});
  const std::string& path() const { return path_; }

 private:
  [[noreturn]] void fail(const std::string& what) const;
  sqlite3* db_ = nullptr;
  std::string path_;
};

// BEGIN IMMEDIATE on construction; ROLLBACK on destruction unless commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit();

 private:
  Database& db_;
  bool done_ = false;
};

// Column helpers: the value as text / number (NULL gives "" / NaN).
std::string as_text(const Value& v);
double as_double(const Value& v);

}  // namespace ptq::sql
