int f1(int), f2(int), f3(int), f4(int);
int main(void) { return (f1(1) + f2(2) + f3(3) + f4(4)) & 0; }
