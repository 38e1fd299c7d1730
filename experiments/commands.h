// The `ptq` subcommands. Each takes the arguments after its name and returns the exit code;
// user errors are thrown as ptq::UserError and reported by main (exit status 2).
#pragma once

#include <string>
#include <vector>

namespace ptq::cli {

using Argv = std::vector<std::string>;

int cmd_run(const Argv& args, const Argv& full_argv);
int cmd_train(const Argv& args, const Argv& full_argv);
int cmd_eval(const Argv& args);
int cmd_predict(const Argv& args);
int cmd_embed(const Argv& args);
int cmd_list(const Argv& args);
int cmd_summarize(const Argv& args);
int cmd_sweep(const Argv& args);
int cmd_results(const Argv& args);
int cmd_table(const Argv& args);
int cmd_plot(const Argv& args);
int cmd_export(const Argv& args);
int cmd_check_packed(const Argv& args);

// The quantised variants of a run a command works on: all, or the one named (cmd_export.cpp).
std::vector<std::string> selected_variants(const std::string& run_dir, const std::string& wanted);

}  // namespace ptq::cli
