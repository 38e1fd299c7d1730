// The identity of a run: a SHA-256 over the canonical form of its fully resolved config.
//
// Canonical form: the resolved YAML tree (bases merged, overrides applied) as JSON with
// mapping keys sorted and plain scalars read as ptq's strict config reader reads them
// (config/scalars.h): integers exactly, numbers by value (1e-3 == 0.001, 4 == 4.0), .inf/.nan,
// true/false, null; quoted scalars stay strings ("8" is not 8). Key order, flow or block
// style, comments, anchors and number spellings therefore do not change the hash; any change
// of a value does. The ptq commit is not part of it: after a fix that changes results, give
// the sweep another `output`/`store` (or remove its folders) to run it again.
//
// Execution settings that cannot change a result are left out, so a sweep rerun with another
// --jobs (threads) or output folder finds its runs again: `threads`, `output`,
// `method.progress` and `train.progress`, and where data is kept: `calibration.memory_mb`,
// `calibration.spill_dir` and `method.cache`. The config's name (its file stem) is part of the identity: it is the
// `config` column of every result.
#pragma once

#include "framework/config/config.h"

#include <nlohmann/json.hpp>

#include <string>

namespace ptq {

// The canonical JSON of a YAML tree (no keys removed).
nlohmann::json canonical_json(const YAML::Node& node);

// The canonical JSON of what identifies a run: {"name": ..., "config": tree minus execution keys}.
// `name` is the config's name (Config::name(), the `config` field of metrics.json).
nlohmann::json run_identity(const std::string& name, const YAML::Node& resolved);

// 64 hex digits; the first 16 name the run's folder in a sweep.
std::string run_hash(const std::string& name, const YAML::Node& resolved);
std::string run_hash(const config::Config& cfg);

}  // namespace ptq
