set terminal svg size 760,460 dynamic noenhanced font 'sans,11' background '#ffffff'
set output 'experiments/tables/fmnist_table.svg'
set title 'Fashion-MNIST ResNet-8, top-1 (%), full test set'
set ylabel 'top1 (mean ± std over seeds)'
set xlabel 'variant'
set xtics ('W4A4' 0, 'W2A4' 1, 'W4A2' 2, 'W2A2' 3)
set xrange [-0.3:3.3]
set key outside right
set grid ytics lc rgb '#dddddd'
set border 3
set tics nomirror
plot 'experiments/tables/fmnist_table.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title 'AdaRound', \
     'experiments/tables/fmnist_table.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title 'BRECQ', \
     'experiments/tables/fmnist_table.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title 'QDrop', \
     'experiments/tables/fmnist_table.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title 'PD-Quant', \
     'experiments/tables/fmnist_table.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 title 'MetaAug', \
     90.42 with lines dt 2 lc rgb '#555555' title 'FP'
set terminal pngcairo size 760,460 noenhanced font 'sans,10' background '#ffffff'
set output 'experiments/tables/fmnist_table.png'
replot
unset output
