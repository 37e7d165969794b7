"""Area B: the Architecture and Why 3×3? pages and their modules (arch_figures, rf_figures,
summary, alexnet, receptive_field, layers, erf)."""

MESSAGES = {
    'Input size (pixels, square)':
        '输入尺寸（像素，正方形）',
    'Weight layers':
        '权重层',
    'Parameters':
        '参数量',
    'Weights (float32)':
        '权重（float32）',
    'MACs':
        'MACs',
    'FLOPs':
        'FLOPs',
    'Activations':
        '激活',
    'The network as blocks':
        '把网络画成一个个方块',
    'Where the parameters live, where the compute happens':
        '参数在哪里，计算在哪里',
    'Layer by layer':
        '逐层看',
    'layer':
        '层',
    'module':
        '模块',
    'type':
        '类型',
    'output (C×H×W)':
        '输出（C×H×W）',
    'params':
        '参数量',
    'receptive field (px)':
        '感受野（px）',
    'effective stride (px)':
        '有效步长（px）',
    'new activation memory (KiB)':
        '新增激活内存（KiB）',
    'Download the table as CSV':
        '下载表格（CSV）',
    'AlexNet beside VGG16':
        'AlexNet 与 VGG16 对照',
    "VGG was a reaction to AlexNet (2012), the network that won ImageNet two years before: a few big kernels with big strides at the start, against VGG's many 3×3 convolutions. AlexNet here is torchvision's `alexnet` (its builder, weights metadata and accuracies), a *reference model*: this section and `python -m vggviz summary alexnet` show it; it is not in the sidebar, because the image pages are built around VGG's layers.":
        'VGG 是对 AlexNet（2012）的回应：AlexNet 两年前赢得了 ImageNet，开头是几个大卷积核、大步长，而 VGG 用的是许多 3×3 卷积。这里的 AlexNet 是 torchvision 的 `alexnet`（它的构建函数、权重元数据和准确率），是一个*参考模型*：本节和 `python -m vggviz summary alexnet` 会展示它；它不在侧边栏里，因为各个图像页面是围绕 VGG 的层构建的。',
    "**conv1's filters: AlexNet's 11×11 against VGG16's 3×3**":
        '**conv1 的滤波器：AlexNet 的 11×11 对比 VGG16 的 3×3**',
    'Conv + FC layers: the number in the name':
        '卷积层 + 全连接层：名字里的那个数字',
    '2 × MACs: a multiply and an add each':
        '2 × MACs：每次一个乘法和一个加法',
    "AlexNet's layer table":
        'AlexNet 的逐层表',
    'Architecture: {variant}':
        '网络结构：{variant}',
    'Any size from 32 works for the convolutions: every max-pool halves the side, so 32 px leaves 1×1 at pool5.':
        '卷积部分可以接受从 32 起的任意尺寸：每个最大池化把边长减半，所以 32 px 到 pool5 时剩下 1×1。',
    'The three fully connected layers hold **{fc_p}%** of the parameters (fc6 alone: {fc6}) but do only **{fc_m}%** of the work: a weight in a convolution is reused at every position of its feature map, a weight in an FC layer is used once.':
        '三个全连接层拥有 **{fc_p}%** 的参数量（仅 fc6 就有 {fc6}），却只做了 **{fc_m}%** 的计算：卷积层中的一个权重在它的特征图的每个位置上都被重复使用，而全连接层中的一个权重只用一次。',
    "**Totals:** {params} parameters · {macs} MACs = {flops} FLOPs · weights {bytes} bytes ({mb} MB = {mib} MiB: parameters × 4) · activations {act} bytes ({act_mib} MiB) per image in one inference pass (float32). Activations count each distinct tensor once: counting the in-place ReLUs' and dropouts' outputs as well would give {out_mib} MiB, but they overwrite or pass on their input and take no memory of their own. Receptive fields of fc6–fc8 treat fc6 as the 7×7 convolution it is at test time (see *Fully convolutional*).":
        '**合计：** {params} 个参数 · {macs} MACs = {flops} FLOPs · 权重 {bytes} 字节（{mb} MB = {mib} MiB：参数量 × 4）· 激活 {act} 字节（{act_mib} MiB），即一张图像一次推理前向传播（float32）所需。激活只把每个不同的张量计算一次：如果把原地 ReLU 和 dropout 的输出也算上，会得到 {out_mib} MiB，但它们覆盖或直接传递自己的输入，不占用自己的内存。fc6–fc8 的感受野把 fc6 当作它在测试时的 7×7 卷积（见*全卷积*）。',
    "Parameters and MACs counted from the layer tables (equal to torchvision's metadata: {params} and {gmacs} G for AlexNet); accuracies are torchvision's, one 224 centre crop. VGG16 has {p_ratio}× AlexNet's parameters and does {m_ratio}× its compute, for {gain} points of top-1.":
        '参数量和 MACs 由逐层表统计得到（与 torchvision 的元数据一致：AlexNet 为 {params} 和 {gmacs} G）；准确率来自 torchvision，单个 224 中心裁剪。VGG16 的参数量是 AlexNet 的 {p_ratio}×，计算量是它的 {m_ratio}×，换来 top-1 {gain} 个百分点。',
    'AlexNet conv1: 64 filters, 11×11':
        'AlexNet conv1：64 个滤波器，11×11',
    'VGG16 conv1_1: 64 filters, 3×3':
        'VGG16 conv1_1：64 个滤波器，3×3',
    '{n} weights and biases':
        '{n} 个权重和偏置',
    "{n} multiply-accumulates per image (torchvision's _ops calls these GFLOPS)":
        '每张图像 {n} 次乘加运算（torchvision 的 _ops 称之为 GFLOPS）',
    "{n} bytes: the distinct tensors one image's inference pass produces, in float32 (conv, batch-norm, LRN, pool, avgpool and FC outputs). The ReLUs work in place and dropout passes its input through at inference, so they add nothing.":
        '{n} 字节：一张图像一次推理前向传播产生的所有不同张量，按 float32 计（卷积、批归一化、LRN、池化、avgpool 和全连接层的输出）。ReLU 原地计算，dropout 在推理时直接传递输入，所以它们不增加内存。',
    'model':
        '模型',
    'weight layers':
        '权重层',
    'conv layers':
        '卷积层',
    'conv kernels':
        '卷积核',
    'parameters':
        '参数量',
    'MACs at 224':
        '224 下的 MACs',
    'pool5 receptive field / stride (px)':
        'pool5 感受野 / 步长（px）',
    'ImageNet top-1 / top-5 % (torchvision)':
        'ImageNet top-1 / top-5 %（torchvision）',
    'step':
        '步',
    "Totals: {params} parameters · {macs} MACs at 224. fc6 reads pool5's 6×6 grid (a 6×6 convolution at test time).":
        '合计：{params} 个参数 · 224 下 {macs} MACs。fc6 读取 pool5 的 6×6 网格（测试时是一个 6×6 卷积）。',
    "The ImageNet weights of {models} are not in this server's cache, so there are no learned filters to show (this page never downloads them). A teacher can fetch them beforehand: `python -m vggviz weights fetch vgg16` for VGG16; AlexNet's file is torchvision's `{file}` in the same cache.":
        '{models} 的 ImageNet 权重不在本服务器的缓存中，因此没有学到的滤波器可以显示（本页面从不下载它们）。老师可以事先获取：VGG16 用 `python -m vggviz weights fetch vgg16`；AlexNet 的文件是同一缓存中 torchvision 的 `{file}`。',
    'The mini family was trained at 64×64, VGG at 224×224.':
        'mini 系列在 64×64 下训练，VGG 在 224×224 下训练。',
    'VGG was trained at 224×224.':
        'VGG 在 224×224 下训练。',
    "Parameters × 4 bytes = {bytes} bytes = {mb} MB (10⁶ bytes) = {mib} MiB (2²⁰ bytes): the size of torchvision's weights file, give or take a few kB of file format.":
        '参数量 × 4 字节 = {bytes} 字节 = {mb} MB（10⁶ 字节）= {mib} MiB（2²⁰ 字节）：即 torchvision 权重文件的大小，文件格式另有几 kB 出入。',
    'The often-quoted “533 MB” for VGG16 matches neither unit.':
        '常被引用的 VGG16 “533 MB” 与这两种单位都对不上。',
    'multiply-accumulates':
        '乘加运算次数',
    '2 × MACs':
        '2 × MACs',
    'Side of the input square one unit of this layer can see':
        '这一层的一个神经元能看到的输入正方形的边长',
    'Input pixels between neighbouring units of this layer':
        '这一层相邻神经元之间相隔的输入像素数',
    "The memory this layer's output adds (float32, one image): 0 for an in-place ReLU and for dropout at inference, which hand back their input":
        '这一层的输出新增的内存（float32，一张图像）：原地 ReLU 和推理时的 dropout 为 0，它们直接返回自己的输入',
    '{a} and {b}':
        '{a} 和 {b}',
    'Why 3×3? Receptive fields':
        '为什么用 3×3？感受野',
    "VGG uses only 3×3 convolutions. One unit of a 3×3 layer sees 3×3 pixels of the layer below; stack two and a unit sees **5×5** of the input, three see **7×7**, five **11×11**. So why not one 7×7 layer? The paper's answer: the stack needs fewer weights and puts a ReLU after every layer, so the function it computes is more discriminative.":
        'VGG 只用 3×3 卷积。3×3 层的一个神经元看到下一层的 3×3 个像素；堆叠两层，一个神经元看到输入的 **5×5**，三层看到 **7×7**，五层看到 **11×11**。那为什么不直接用一个 7×7 层？论文的回答是：堆叠需要的权重更少，并且每一层后面都有一个 ReLU，所以它计算的函数更具判别力。',
    'Stacked small convolutions against one big one':
        '堆叠的小卷积对比一个大卷积',
    'Stacked layers N':
        '堆叠层数 N',
    'Kernel K×K':
        '卷积核 K×K',
    'Channels C (in = out)':
        '通道数 C（输入 = 输出）',
    "How one unit's field grows, layer by layer":
        '一个神经元的感受野如何逐层增长',
    'The 1×1 convolution (configuration C)':
        '1×1 卷积（配置 C）',
    'Configuration C (VGG16-C) puts a 1×1 convolution where D has its third 3×3 in blocks 3–5. A 1×1 convolution looks at one pixel: it **does not widen the receptive field**, but it mixes the C channels at each position (a C×C matrix: C² weights) and adds one more ReLU.':
        '配置 C（VGG16-C）在第 3–5 个卷积块中、D 放第三个 3×3 卷积的位置，放了一个 1×1 卷积。1×1 卷积只看一个像素：它**不扩大感受野**，但会在每个位置混合 C 个通道（一个 C×C 矩阵：C² 个权重），并多加一个 ReLU。',
    '3×3 then 1×1 · receptive field':
        '3×3 再 1×1 · 感受野',
    '3×3 then 1×1 · weights':
        '3×3 再 1×1 · 权重',
    '3×3 then 1×1 · non-linearities':
        '3×3 再 1×1 · 非线性层数',
    'The other use of 1×1: fewer channels before an expensive convolution':
        '1×1 的另一种用法：在昂贵的卷积之前减少通道',
    "Network in Network and Inception (and ResNet's bottleneck) use a 1×1 layer the other way: to **reduce** the channels before a K×K convolution, so the expensive layer works on fewer of them. VGG never does this (C's 1×1 layers keep C channels), which is one reason it is so heavy.":
        'Network in Network 和 Inception（以及 ResNet 的瓶颈结构）反过来使用 1×1 层：在 K×K 卷积之前**减少**通道数，让昂贵的那一层处理更少的通道。VGG 从不这样做（C 的 1×1 层保持 C 个通道），这也是它如此笨重的原因之一。',
    'Input channels':
        '输入通道数',
    'Reduced to (1×1)':
        '减少到（1×1）',
    'Output channels':
        '输出通道数',
    'Map side (px)':
        '特征图边长（px）',
    'Direct 3×3 · weights':
        '直接 3×3 · 权重',
    '1×1 then 3×3 · weights':
        '1×1 再 3×3 · 权重',
    'Weights without biases; the MACs are the weights × the positions of the map (padding keeps its side), so they shrink by the same factor. The reduction can lose information when it squeezes too hard: it is a trade, not free.':
        '权重不含偏置；MACs 等于权重 × 特征图上的位置数（填充保持边长不变），所以按同样的倍数减少。压缩得太狠时，降维会丢失信息：这是一种取舍，不是免费的。',
    'Layer':
        '层',
    'Every layer maps C channels to C channels, as inside a VGG block.':
        '每一层把 C 个通道映射到 C 个通道，就像在 VGG 的一个卷积块内部。',
    'Stack · receptive field':
        '堆叠 · 感受野',
    'Stack · non-linearities':
        '堆叠 · 非线性层数',
    'Stack · weights':
        '堆叠 · 权重',
    'Stack · MACs per output position':
        '堆叠 · 每个输出位置的 MACs',
    'One layer · receptive field':
        '单层 · 感受野',
    'One layer · non-linearities':
        '单层 · 非线性层数',
    'One layer · weights':
        '单层 · 权重',
    'One layer · MACs per output position':
        '单层 · 每个输出位置的 MACs',
    'The same numbers as a table (N = 1 … 6 for this K and C)':
        '同样的数字列成表（在当前 K 和 C 下 N = 1 … 6）',
    "Layers of the convolutional part; the sidebar's variant":
        '卷积部分的各层；侧边栏所选的变体',
    'Measure the effective field on':
        '在哪种输入上测量有效感受野',
    'Measure the effective receptive field (one backward pass)':
        '测量有效感受野（一次反向传播）',
    'Measuring |∂ unit / ∂ input|…':
        '正在测量 |∂ 神经元 / ∂ 输入|…',
    'Measuring |∂ unit / ∂ input| on noise…':
        '正在噪声上测量 |∂ 神经元 / ∂ 输入|…',
    'N·K²·C² (biases left out)':
        'N·K²·C²（不计偏置）',
    'Multiply-accumulates to compute one output position, all C channels':
        '计算一个输出位置（全部 C 个通道）所需的乘加运算次数',
    'Show the field after layer':
        '显示第几层之后的感受野',
    'Over the whole network the 1×1 layers cost receptive field: pool5 of C sees **{c} px**, pool5 of D **{d} px**. D was the better network in the paper (its 3×3 layers capture spatial context), yet C beat B, which has no third layer at all: the extra non-linearity helps.':
        '从整个网络来看，1×1 层会让感受野变小：C 的 pool5 看到 **{c} px**，D 的 pool5 看到 **{d} px**。在论文中 D 是更好的网络（它的 3×3 层能捕获空间上下文），但 C 胜过了完全没有第三层的 B：额外的非线性是有帮助的。',
    'MACs at {side}×{side}':
        '{side}×{side} 下的 MACs',
    "The real network's fields: {variant}":
        '真实网络的感受野：{variant}',
    'At {layer} a unit sees **{rf}×{rf} px** of the {side}×{side} input and neighbouring units are **{jump} px** apart. Every 3×3 conv adds 2 × (effective stride) pixels, every max-pool doubles the effective stride: that is how the field outgrows the image by pool5.':
        '在 {layer}，一个神经元看到 {side}×{side} 输入中的 **{rf}×{rf} px**，相邻神经元相距 **{jump} px**。每个 3×3 卷积使感受野增加 2 × (有效步长) 个像素，每个最大池化使有效步长翻倍：这就是感受野到 pool5 时超过图像本身的原因。',
    'Unit row (0 … {last})':
        '神经元的行（0 … {last}）',
    'Unit column (0 … {last})':
        '神经元的列（0 … {last}）',
    'The model could not be loaded, so the effective field cannot be measured.':
        '模型无法加载，因此无法测量有效感受野。',
    '{n} × conv {k}×{k}':
        '{n} × {k}×{k} 卷积',
    'Stack · weights at C = {c}':
        '堆叠 · C = {c} 时的权重',
    'One layer · weights at C = {c}':
        '单层 · C = {c} 时的权重',
    'A 1×1 kernel adds no spatial extent: {n} stacked 1×1 layers still see 1×1 pixel, cost {n}C² weights against C² for one, and add {extra} non-linearities. That is what 1×1 layers are for: mixing channels and adding non-linearity (see below).':
        '1×1 卷积核不增加空间范围：堆叠 {n} 个 1×1 层仍然只看到 1×1 个像素，需要 {n}C² 个权重（单层为 C²），并增加 {extra} 个非线性。这正是 1×1 层的用途：混合通道并增加非线性（见下文）。',
    'layers':
        '层数',
    'receptive field':
        '感受野',
    'stack weights':
        '堆叠的权重',
    'single layer':
        '单层',
    'single weights':
        '单层的权重',
    'saving':
        '节省',
    'ReLUs stack / single':
        'ReLU 数 堆叠 / 单层',
    '{px} px vs 3×3 alone':
        '{px} px，相比单独 3×3',
    'C = {c}: the 1×1 adds C² = {n} weights':
        'C = {c}：1×1 增加 C² = {n} 个权重',
    '{c_in}·{reduced} (the 1×1) + 3·3·{reduced}·{c_out} (the 3×3)':
        '{c_in}·{reduced}（1×1）+ 3·3·{reduced}·{c_out}（3×3）',
    'direct: {macs} G':
        '直接：{macs} G',
    'Switch the measurement on to see which pixels actually move this unit.':
        '打开测量，看看哪些像素真正影响这个神经元。',
    '{saving} vs one {rf}×{rf}':
        '{saving}，相比一个 {rf}×{rf}',
    '**{n} stacked {k}×{k} layers see the same {rf}×{rf} pixels as one {rf}×{rf} layer with {stack} instead of {single} weights: {saving} fewer** (and as many fewer MACs at every position), and with {relus} ReLUs instead of 1.':
        '**{n} 个堆叠的 {k}×{k} 层与一个 {rf}×{rf} 层看到同样的 {rf}×{rf} 个像素，只需 {stack} 而不是 {single} 个权重：少 {saving}**（每个位置的 MACs 也同样减少），并且有 {relus} 个 ReLU 而不是 1 个。',
    'One layer: nothing to compare yet. Add layers: each {k}×{k} layer widens the field by {grow} pixels.':
        '只有一层：还没有可比较的。增加层数：每个 {k}×{k} 层使感受野扩大 {grow} 个像素。',
    'Each cell counts the **paths** from the output unit (orange square) down to that input pixel: every layer picks one of its {taps} taps, so there are {k}^{power} = {paths} paths in all after layer {step}, and the grid is the {k}-wide box filter convolved with itself {step} times.':
        '每个格子统计从输出神经元（橙色方框）向下到该输入像素的**路径**数：每一层从它的 {taps} 个抽头中选一个，所以到第 {step} 层之后共有 {k}^{power} = {paths} 条路径，而这个网格就是 {k} 宽的方框滤波器与自身卷积 {step} 次的结果。',
    "The centre pixel is reached by **{centre}** paths, a corner pixel by **1**. With equal weights the unit's gradient is proportional to these counts: this is why the *effective* receptive field is concentrated in the middle and looks Gaussian (Luo et al., 2016). You can measure it on the real network below.":
        '中心像素有 **{centre}** 条路径到达，角上的像素只有 **1** 条。在权重相等时，神经元的梯度与这些计数成正比：这就是为什么*有效*感受野集中在中间、看起来像高斯分布（Luo 等，2016）。你可以在下面的真实网络上测量它。',
    '{ratio}× fewer':
        '少 {ratio}×',
    '{ratio}× more':
        '多 {ratio}×',
    'Pick an image in the sidebar to see it under the box.':
        '在侧边栏中选一张图像，就能看到方框下面的图像。',
    'No image selected: measuring on noise instead.':
        '没有选择图像：改为在噪声上测量。',
    'Receptive field per layer: **{growth}** (each {k}×{k} layer adds {grow} pixels: {n}·({k}−1)+1 = {rf}).':
        '每层的感受野：**{growth}**（每个 {k}×{k} 层增加 {grow} 个像素：{n}·({k}−1)+1 = {rf}）。',
    'stack weights (C={c})':
        '堆叠的权重（C={c}）',
    'single weights (C={c})':
        '单层的权重（C={c}）',
    'Unit ({y}, {x}) of {layer}: rows {top} … {bottom}, columns {left} … {right} of the {side} crop.':
        '{layer} 的神经元 ({y}, {x})：{side} 裁剪中的第 {top} … {bottom} 行、第 {left} … {right} 列。',
    'Part of the box lies outside the image: those are the zeros of the padding, which the unit sees too.':
        '方框有一部分在图像之外：那里是填充的零，神经元也能看到它们。',
    'the current image':
        '当前图像',
    'No gradient reaches the input: every channel of this unit is switched off by its ReLU for this input. Try another unit or the noise input.':
        '没有梯度到达输入：对于这个输入，这个神经元的每个通道都被它的 ReLU 关掉了。试试别的神经元或噪声输入。',
    'With random weights this shows the structure of the network (paths and max-pool switches), not what a trained VGG attends to.':
        '使用随机权重时，这里显示的是网络的结构（路径和最大池化的开关），而不是训练好的 VGG 关注的地方。',
    'random noise (average of {n})':
        '随机噪声（{n} 个的平均）',
    '|∂ unit / ∂ input| summed over colour channels, scaled to [0, 1]. {inside} of it lies inside the theoretical box (it is exactly zero outside). Half of it lies within a **{half}×{half} px** square: the effective field is much smaller than the theoretical {rf}×{rf}.':
        '|∂ 神经元 / ∂ 输入| 在颜色通道上求和，缩放到 [0, 1]。其中 {inside} 位于理论方框之内（方框外恰好为零）。一半集中在一个 **{half}×{half} px** 的正方形内：有效感受野比理论上的 {rf}×{rf} 小得多。',
    'Effective field of {layer} ({y}, {x})':
        '{layer} ({y}, {x}) 的有效感受野',
    'max-pool':
        '最大池化',
    "A unit sees {reach} px or more after {fa} conv/pool layers in {la} ({layer_a}, effective stride {stride_a} px) but after {fb} in {lb} ({layer_b}, stride {stride_b} px). At pool5 {la} sees {rf_a} px in {na} layers, {lb} {rf_b} px in {nb}: {la}'s first layer alone moves {step_a} px a step and sees {first_a} px; {lb} gets there by many small 3×3 steps, each with its own ReLU.":
        '在 {la} 中，经过 {fa} 个卷积/池化层后一个神经元就能看到 {reach} px 或更多（{layer_a}，有效步长 {stride_a} px），而在 {lb} 中要经过 {fb} 层（{layer_b}，步长 {stride_b} px）。到 pool5 时，{la} 用 {na} 层看到 {rf_a} px，{lb} 用 {nb} 层看到 {rf_b} px：{la} 仅第一层就每步移动 {step_a} px、看到 {first_a} px；{lb} 则通过许多小的 3×3 步子到达那里，每一步都有自己的 ReLU。',
    ', ':
        '、',
    'need at least one noise sample':
        '至少需要一个噪声样本',
    '{layer!r} is not a layer of the convolutional part of {variant} (choose one of {first} … {last})':
        '{layer!r} 不是 {variant} 卷积部分的层（请在 {first} … {last} 中选择）',
    'expected an input of shape (N, 3, H, W), got {shape}':
        '输入的形状应为 (N, 3, H, W)，收到的是 {shape}',
    'expected one image, shape (1, 3, H, W), got {shape}':
        '应为一张图像，形状 (1, 3, H, W)，收到的是 {shape}',
    '{layer!r} is not in the convolutional part: the effective receptive field is measured for {first} … {last}':
        '{layer!r} 不在卷积部分：有效感受野只对 {first} … {last} 测量',
    "unit ({y}, {x}) is outside {layer}'s {h}×{w} map":
        '神经元 ({y}, {x}) 在 {layer} 的 {h}×{w} 特征图之外',
    "channel {channel} is outside {layer}'s {c} channels":
        '通道 {channel} 超出了 {layer} 的 {c} 个通道',
    'block 1':
        '卷积块 1',
    'block 2':
        '卷积块 2',
    'block 3':
        '卷积块 3',
    'block 4':
        '卷积块 4',
    'block 5':
        '卷积块 5',
    'classifier':
        '分类器',
    'Conv':
        '卷积',
    'ReLU':
        'ReLU',
    'BatchNorm':
        '批归一化',
    'LRN':
        '局部响应归一化',
    'MaxPool':
        '最大池化',
    'AdaptiveAvgPool':
        '自适应平均池化',
    'Linear':
        '全连接',
    'Dropout':
        'Dropout',
    'compute (MACs)':
        '计算量（MACs）',
    "% of the network's total":
        '占整个网络的 %',
    'conv and pool layers passed':
        '经过的卷积层和池化层数',
    '{name}<br>{type}<br>out {c}×{h}×{w}<br>params {params}<br>MACs {macs}<br>RF {rf}px':
        '{name}<br>{type}<br>输出 {c}×{h}×{w}<br>参数量 {params}<br>MACs {macs}<br>感受野 {rf}px',
    'MACs (multiply-accumulates)':
        'MACs（乘加运算次数）',
    'Box height ∝ √(feature-map side), width ∝ log₂(channels); hover for details':
        '方框高度 ∝ √(特征图边长)，宽度 ∝ log₂(通道数)；悬停查看详情',
    'Receptive field after each conv / pool layer':
        '每个卷积/池化层之后的感受野',
    '{x}: {y}% of parameters':
        '{x}：参数量的 {y}%',
    '{x}: {y}% of MACs':
        '{x}：MACs 的 {y}%',
    'Parameters per block':
        '每个卷积块的参数量',
    'FC layers: {fc_p}% of parameters, {fc_m}% of compute · conv layers: {conv_p}% of parameters, {conv_m}% of compute':
        '全连接层：{fc_p}% 的参数量，{fc_m}% 的计算量 · 卷积层：{conv_p}% 的参数量，{conv_m}% 的计算量',
    'Compute (MACs at {size}×{size}) per block':
        '每个卷积块的计算量（{size}×{size} 下的 MACs）',
    '{rf} px, stride {stride} px':
        '{rf} px，步长 {stride} px',
    'unknown layer {name!r}; choose one of: {choices}':
        '未知的层 {name!r}；请在以下层中选择：{choices}',
    'dense':
        '密集评估',
    'multi-crop & dense':
        '多裁剪 + 密集评估',
    'evaluation':
        '评估方式',
    'need at least one layer and a kernel of at least 1':
        '至少需要一层，卷积核至少为 1',
    'kernel, layers and channels must all be at least 1':
        '卷积核、层数和通道数都必须至少为 1',
    'kernel must be at least 1 and layers at least 0':
        '卷积核至少为 1，层数至少为 0',
    'input channels':
        '输入通道数',
    'reduced channels':
        '降维后的通道数',
    'output channels':
        '输出通道数',
    'kernel':
        '卷积核',
    'side':
        '边长',
    '{name} must be at least 1, got {value}':
        '{name}必须至少为 1，收到的是 {value}',
    'Effective receptive field':
        '有效感受野',
    'pixels (log scale)':
        '像素（对数刻度）',
    'After layer {i} of {n}: the unit sees {rf}×{rf} input pixels · {paths} paths = {kernel}^{power}':
        '第 {i} 层（共 {n} 层）之后：神经元看到 {rf}×{rf} 个输入像素 · {paths} 条路径 = {kernel}^{power}',
    'input side ({size} px)':
        '输入边长（{size} px）',
    'centre of the field':
        '感受野的中心',
    'Theoretical receptive field (dotted: the image)':
        '理论感受野（虚线：图像）',
    'probability':
        '概率',
    'paths':
        '路径数',
    'after layer {i}: {rf}×{rf}':
        '第 {i} 层之后：{rf}×{rf}',
    '{x}: sees {y}×{y} px':
        '{x}：看到 {y}×{y} px',
    '{x}: neighbouring units are {y} px apart':
        '{x}：相邻神经元相距 {y} px',
    'row {y}, col {x}: {z} paths':
        '第 {y} 行，第 {x} 列：{z} 条路径',
    'row {y}, col {x}: {z}':
        '第 {y} 行，第 {x} 列：{z}',
    'cell ({y}, {x}) px: p = {z}':
        '格子 ({y}, {x}) px：p = {z}',
    'p({label}) at each of the {h}×{w} positions':
        '{h}×{w} 个位置上每一处的 p({label})',
    '{x} at {scale}: {p}':
        '{x} 在 {scale}：{p}',
    '▶ play layers 1…N':
        '▶ 逐层播放 1…N',
    'input size {size} is too small: VGG halves the image five times, so it needs at least {min}×{min} pixels':
        '输入尺寸 {size} 太小：VGG 把图像减半五次，所以至少需要 {min}×{min} 像素',
    "input size {size} is too small: {model}'s stride-4 conv1 and three 3×3 stride-2 pools need at least {min}×{min} pixels":
        '输入尺寸 {size} 太小：{model} 的步长为 4 的 conv1 和三个步长为 2 的 3×3 池化至少需要 {min}×{min} 像素',
    'input size must be a whole number of pixels, got {size!r}':
        '输入尺寸必须是整数个像素，收到的是 {size!r}',
    'input size {size} is too large: use at most {max} pixels':
        '输入尺寸 {size} 太大：最多使用 {max} 像素',
}
