// Sample statistics over repeated runs (seeds): the mean and the sample variance (n − 1), as the
// summaries, the Welch tests and the paper tables report them.
#pragma once

#include <vector>

namespace ptq {

// NaN for no values.
double mean(const std::vector<double>& v);
// 0 for fewer than two values.
double sample_variance(const std::vector<double>& v);
double sample_stddev(const std::vector<double>& v);

}  // namespace ptq
