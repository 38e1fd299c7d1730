// Small string utilities shared by the config system, registries and the CLI:
// edit distance and "did you mean" suggestions, joining, trimming.
#pragma once

#include <string>
#include <vector>

namespace ptq {

// Edit distance where insert, delete, substitute and neighbour swap each cost 1.
size_t edit_distance(const std::string& a, const std::string& b);

// The closest candidate to `word` when it is close enough to be a plausible typo
// (distance <= max(1, |word|/3)); empty when nothing is close.
std::string closest_match(const std::string& word, const std::vector<std::string>& candidates);

// " (did you mean 'x'?)" or "" — ready to append to an error message.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates);

std::string join(const std::vector<std::string>& parts, const std::string& sep);
std::vector<std::string> split(const std::string& s, char sep);
std::string trim(const std::string& s);
bool starts_with(const std::string& s, const std::string& prefix);
bool ends_with(const std::string& s, const std::string& suffix);
std::string to_lower(std::string s);
// `s` as one CSV field (RFC 4180): as is, or in double quotes (doubled inside) when it holds a
// comma, a quote or a newline.
std::string csv_field(const std::string& s);
// `s` as one word for a POSIX shell: as is when it is plainly safe, else in single quotes.
std::string shell_quote(const std::string& s);

}  // namespace ptq
