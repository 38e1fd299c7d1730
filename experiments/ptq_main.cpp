#include <iostream>
int main() { std::cout << "ptq\n"; }
