"""The lab: the Fully convolutional page (dense and multi-scale evaluation) and the Train page
(the shapes lab: runs, curves, verdicts, the experiments of vggviz.lab.training)."""

MESSAGES = {
    # --- pages/fully_conv.py and vggviz/dense.py: the fully-convolutional VGG
    'average of the scales':
        '各尺度的平均',
    'yes':
        '是',
    'no':
        '否',
    'Dense evaluation at one scale':
        '单一尺度下的密集评估',
    'Shorter side of the image (px)':
        '图像短边（像素）',
    'Custom size (px)':
        '自定义尺寸（像素）',
    'Squash to a square':
        '压成正方形',
    "Multi-scale evaluation: the paper's protocol":
        '多尺度评估：论文的测试方案',
    'Test scales Q':
        '测试尺度 Q',
    'Average with the mirror image':
        '与镜像图像取平均',
    'Averaging the map':
        '对类别图取平均的方式',
    "The paper runs the dense network at each test scale and averages the class probabilities: objects of different sizes then meet a window of the right size at some scale. Within one scale it averages the class-*score* map spatially (it says *sum-pooled*) and only then takes the soft-max. Averaging each position's soft-max instead caps every position's vote at 1/(number of positions); with the mean score, one position with a very large score can outvote all the others. Sum-pooling proper (no division by the number of positions) gives the same ranking with a sharper soft-max.":
        '论文在每个测试尺度上运行密集网络，并对类别概率取平均：这样不同大小的物体总会在某个尺度上遇到大小合适的窗口。在同一尺度内，论文先对类别*得分*图做空间平均（论文称为 *sum-pooled*），然后才做 softmax。若改为对每个位置的 softmax 取平均，每个位置的票数上限就是 1/(位置数)；而用平均得分时，一个得分极高的位置可以压倒其他所有位置。真正的求和池化（不除以位置数）给出相同的排序，只是 softmax 更尖锐。',
    'the other averaging':
        '另一种平均方式',
    'Multi-crop, dense, or both':
        '多裁剪、密集评估，或两者结合',
    'Crops per scale (a grid of n×n, each also mirrored)':
        '每个尺度的裁剪数（n×n 网格，每块还做镜像）',
    'With random weights the shapes and the arithmetic on this page are right, but the class maps and predictions are noise.':
        '使用随机权重时，本页的形状和算术是对的，但类别图和预测都是噪声。',
    "Use a generated canvas of shapes instead of the sidebar's image":
        '用生成的形状画布代替侧边栏的图像',
    'Canvas seed':
        '画布种子',
    'Pick a sample image or upload one in the sidebar to run the dense evaluation.':
        '在侧边栏选择一张示例图像或上传一张，以运行密集评估。',
    "The whole image is resized so that its shorter side has this length, keeping the aspect ratio (the paper's isotropic rescaling); nothing is cropped.":
        '整张图像按比例缩放，使其短边等于这个长度，保持宽高比（论文的各向同性缩放）；不做任何裁剪。',
    'Resize to S×S instead, ignoring the aspect ratio: the map is then square.':
        '改为缩放到 S×S，忽略宽高比：这样类别图就是正方形。',
    'Running the fully-convolutional network…':
        '正在运行全卷积网络…',
    'Input fed to the network':
        '输入网络的图像',
    'Class-score map':
        '类别得分图',
    'Top class (map averaged)':
        '最高类别（对类别图取平均）',
    "The paper's flip averaging: the soft-max of the image and of its horizontal mirror image, averaged. Twice the passes.":
        '论文的翻转平均：对图像及其水平镜像各做 softmax，再取平均。前向传播次数加倍。',
    'class':
        '类别',
    'Fully convolutional {model}: dense and multi-scale evaluation':
        '全卷积 {model}：密集评估与多尺度评估',
    "At test time the paper turns the fully connected layers into convolutions: **fc6** reads the {g}×{g}×{c} pool5 block, so it *is* a {g}×{g} convolution with {c} input channels and no padding; **fc7** and **fc8** read one vector each, so they are 1×1 convolutions. The weights are the same numbers, just viewed as 4-D kernels (here the convolutions literally share the linear layers' memory). The network then takes an image of any size of at least {smallest}×{smallest} and returns a *map* of class scores, one per position of a window sliding over the image in steps of 32 pixels.":
        '测试时，论文把全连接层变成卷积层：**fc6** 读取 {g}×{g}×{c} 的 pool5 块，所以它*就是*一个 {g}×{g}、{c} 个输入通道、无填充的卷积；**fc7** 和 **fc8** 各自读取一个向量，所以它们是 1×1 卷积。权重还是同样的数字，只是被看作四维卷积核（这里的卷积层甚至直接与线性层共享内存）。于是网络可以接受任意尺寸（至少 {smallest}×{smallest}）的图像，并输出一张类别得分*图*：一个以 32 像素为步长在图像上滑动的窗口，每个位置给出一组得分。',
    'parameters':
        '参数量',
    'A 256×256 picture with four shapes of the training sizes: the class maps should light up where each shape is.':
        '一张 256×256 的图片，上面有四个训练尺寸的形状：类别图应当在每个形状所在的地方亮起来。',
    'Class to map':
        '要显示的类别',
    'The paper tests a model trained at a fixed scale S at Q = {{S − 32, S, S + 32}}, and a scale-jittered one (S from 256 to 512) at Q = {{256, 384, 512}}.':
        '论文对在固定尺度 S 上训练的模型在 Q = {{S − 32, S, S + 32}} 上测试，对尺度抖动训练的模型（S 从 256 到 512）在 Q = {{256, 384, 512}} 上测试。',
    '{size} px ({h}×{w} map)':
        '{size} 像素（{h}×{w} 的图）',
    'Multi-scale prediction: **{top}** ({p:.1%}). Per-scale top classes: {per_scale}. The last column averages the map the other way (top class: {other}).':
        '多尺度预测：**{top}**（{p:.1%}）。各尺度的最高类别：{per_scale}。最后一列用另一种方式对类别图取平均（最高类别：{other}）。',
    'Running the crops…':
        '正在运行裁剪…',
    'dense':
        '密集评估',
    'multi-crop & dense':
        '多裁剪 + 密集评估',
    'layer':
        '层',
    'before':
        '转换前',
    'weight before':
        '转换前的权重',
    'after':
        '转换后',
    'weight after':
        '转换后的权重',
    'same count':
        '参数量相同',
    'same memory':
        '内存相同',
    '. So at 384 the map is 6×6 (384 / 32 = 12, 12 − 7 + 1 = 6), not 5×5. ':
        '。所以在 384 时类别图是 6×6（384 / 32 = 12，12 − 7 + 1 = 6），而不是 5×5。',
    '. ':
        '。',
    'Cell (i, j) is centred at ({c:g} + {stride}·i, {c:g} + {stride}·j) px and sees {rf}×{rf} px of the input.':
        '单元 (i, j) 的中心位于 ({c:g} + {stride}·i, {c:g} + {stride}·j) 像素处，看到输入中 {rf}×{rf} 像素的区域。',
    'off':
        '关闭',
    'Multi-crop: {side}×{side} crops on a regular grid over the resized image, each through the original network. The paper uses 5×5 crops and their mirror images: 50 per scale, 150 over three scales. Smaller grids here cost less and say so.':
        '多裁剪：在缩放后的图像上按规则网格取 {side}×{side} 的裁剪块，每块都通过原始网络。论文使用 5×5 个裁剪块及其镜像：每个尺度 50 块，三个尺度共 150 块。这里较小的网格开销更小，并会注明。',
    'evaluation':
        '评估方式',
    'top class':
        '最高类别',
    'its probability':
        '其概率',
    'Cost counts the pixels that go through the convolutions (where almost all the MACs are), in units of one {side}×{side} crop. Dense evaluation reads each pixel once per scale; multi-crop reads overlapping crops again, but each crop is padded with real image around its border rather than with zeros, which is why the paper found the two complementary: multi-crop & dense (averaging their soft-maxes) was its best single-network result.':
        '开销统计通过卷积层的像素（几乎全部乘加运算都在那里），以一个 {side}×{side} 裁剪块为单位。密集评估在每个尺度上每个像素只读一次；多裁剪会重复读取相互重叠的裁剪块，但每块的边缘用真实图像而不是零来填充，因此论文发现两者互补：多裁剪 + 密集评估（对两者的 softmax 取平均）是它最好的单网络结果。',
    "Dense evaluation at these scales reads {crops:.1f} crops' worth of pixels ({side}×{side} each); turn multi-crop on to compare.":
        '在这些尺度上，密集评估读取的像素相当于 {crops:.1f} 个裁剪块（每块 {side}×{side}）；打开多裁剪来比较。',
    'NO':
        '否（不同！）',
    'Where the shapes really are: {places}':
        '形状的真实位置：{places}',
    'Top-5: softmax at each position, averaged over the map':
        'Top-5：每个位置做 softmax，再对整张图取平均',
    'Each cell is one position of the {g}×{g} fc6 window on pool5, drawn {stride} px wide at the centre of its field; it sees {rf}×{rf} px, so the map covers the middle of the image while each cell looks at most of it. The paper averages this map into one prediction per scale.':
        '每个单元是 fc6 的 {g}×{g} 窗口在 pool5 上的一个位置，画在其感受野的中心，宽 {stride} 像素；它看到 {rf}×{rf} 像素，所以类别图覆盖图像的中部，而每个单元都看到图像的大部分。论文把这张图平均成每个尺度的一个预测。',
    'The mini family: the same ratios to its 64 px (a 9 px step).':
        'mini 系列：与其 64 像素的比例相同（步长 9 像素）。',
    'soft-max at each position, then mean':
        '每个位置做 softmax，再取平均',
    'mean class score, then soft-max (the paper)':
        '先对类别得分取平均，再做 softmax（论文的做法）',
    'multi-crop ({n} crops)':
        '多裁剪（{n} 个裁剪块）',
    '**How big is the map?** Five max-pools divide the side by 32 (rounding down), and the {g}×{g} fc6 takes {k} away: an S×S input gives (⌊S/32⌋ − {k}) × (⌊S/32⌋ − {k}) positions. ':
        '**类别图有多大？** 五个最大池化把边长除以 32（向下取整），{g}×{g} 的 fc6 再减去 {k}：S×S 的输入给出 (⌊S/32⌋ − {k}) × (⌊S/32⌋ − {k}) 个位置。',
    'custom…':
        '自定义…',
    'trained with scale jittering: Q = {{{scales}}}':
        '用尺度抖动训练：Q = {{{scales}}}',
    'trained at fixed S = {S}: Q = {{{scales}}}':
        '在固定尺度 S = {S} 上训练：Q = {{{scales}}}',
    "cost ({side}×{side} crops' worth of pixels)":
        '开销（相当于多少个 {side}×{side} 裁剪块的像素）',
    '{s}: pool5 {p}×{p} → map **{h}×{w}**':
        '{s}：pool5 {p}×{p} → 类别图 **{h}×{w}**',
    "image's own ({side})":
        '图像原尺寸（{side}）',
    'give at least one scale':
        '请至少给出一个尺度',
    'the size must be a whole number of pixels, got {size}':
        '尺寸必须是整数个像素，收到的是 {size}',
    '{size} px is too small: this fully-convolutional VGG needs at least {m}×{m} pixels, because fc6 is a {grid}×{grid} convolution over pool5 (input ÷ 32 = {pool5}×{pool5} here, less than {grid}×{grid})':
        '{size} 像素太小：这个全卷积 VGG 至少需要 {m}×{m} 像素，因为 fc6 是 pool5 上的 {grid}×{grid} 卷积（这里输入 ÷ 32 = {pool5}×{pool5}，小于 {grid}×{grid}）',
    '{size} px is too large for this demo: use at most {most} px':
        '{size} 像素对这个演示来说太大：最多使用 {most} 像素',
    'the crop grid must be 1 to 5 crops a side, got {grid}':
        '裁剪网格每边必须是 1 到 5 块，收到的是 {grid}',
    # --- pages/train.py: the shapes lab
    'that trained model is no longer in memory; train it again':
        '那个训练好的模型已不在内存中；请重新训练',
    "N(0, 0.01) (the paper's)":
        'N(0, 0.01)（论文的做法）',
    "from a trained A (the paper's, for B–E)":
        '从训练好的 A 初始化（论文对 B–E 的做法）',
    'from the trained D (E as a deepened D)':
        '从训练好的 D 初始化（把 E 看作加深的 D）',
    'Your runs':
        '你的训练',
    'Custom run':
        '自定义训练',
    'Experiment':
        '实验',
    'Epochs':
        '轮次（epoch）',
    'Training images per epoch':
        '每轮的训练图像数',
    'Configurations (one run each)':
        '配置（每个训练一次）',
    "Scale jittering (the paper's S ∈ [256, 512], here 64–96 px)":
        '尺度抖动（论文的 S ∈ [256, 512]，这里是 64–96 像素）',
    'Initialisation':
        '初始化',
    'Seed':
        '种子',
    'Held-out images':
        '验证图像数',
    '▶️ Train':
        '▶️ 训练',
    'Nothing yet: start an experiment or a custom run above.':
        '还没有训练：请在上方开始一个实验或自定义训练。',
    'Custom: {runs}':
        '自定义：{runs}',
    '✖ Cancel':
        '✖ 取消',
    'Remove':
        '移除',
    'pick at least one configuration':
        '请至少选择一个配置',
    'Stop watching this run; it stops when nobody else watches it.':
        '不再关注这次训练；没有其他人关注时它就会停止。',
    'Remove these runs from your list (cancels any still waiting).':
        '从你的列表中移除这些训练（仍在等待的会被取消）。',
    'Held-out accuracy':
        '验证准确率',
    'Training time':
        '训练时间',
    'Parameters':
        '参数量',
    '🔎 Open in the other pages':
        '🔎 在其他页面中打开',
    '**{run}**: waiting, place **{place}** in the queue':
        '**{run}**：等待中，排在队列第 **{place}** 位',
    '{run}: epoch {epoch}/{epochs}, batch {batch}/{batches}, loss {loss:.3f}':
        '{run}：第 {epoch}/{epochs} 轮，第 {batch}/{batches} 批，损失 {loss:.3f}',
    '{run}: starting':
        '{run}：正在开始',
    'Selects this model (variant and weights trained:ID) in the sidebar for every page.':
        '在侧边栏中为所有页面选中这个模型（变体和权重 trained:ID）。',
    'Gradient norm per layer over the first steps':
        '前几步中每一层的梯度范数',
    'Run':
        '哪次训练',
    'Each line is one training step; a network whose early layers get gradients thousands of times smaller than the last ones learns slowly there.':
        '每条线是一个训练步；如果网络前面几层得到的梯度比最后几层小几千倍，这些层就学得很慢。',
    '{run}: no longer in memory (the server keeps the last runs only)':
        '{run}：已不在内存中（服务器只保留最近的训练）',
    'cancelled':
        '已取消',
    # --- vggviz/figures/train.py: curves and bars
    'epoch':
        '轮次',
    'gradient norm':
        '梯度范数',
    'chance':
        '随机猜测',
    'held-out accuracy (%)':
        '验证准确率（%）',
    'training loss':
        '训练损失',
    '{run}<br>epoch %{{x}}: loss %{{y:.3f}}<extra></extra>':
        '{run}<br>第 %{{x}} 轮：损失 %{{y:.3f}}<extra></extra>',
    '{run}<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>':
        '{run}<br>第 %{{x}} 轮：%{{y:.1f}} %<extra></extra>',
    'step {n}':
        '第 {n} 步',
    '; ':
        '；',
    # --- vggviz/lab/training.py: TrainingError messages
    'epochs must be at least 1, got {epochs}':
        '轮数至少为 1，收到的是 {epochs}',
    'batch size must be at least 2, got {batch}':
        '批大小至少为 2，收到的是 {batch}',
    'the training set must hold at least one batch and the held-out set one image':
        '训练集至少要有一批，验证集至少要有一张图像',
    'unknown initialisation {init}; choose one of: {choices}':
        '未知的初始化 {init}；请从以下选择：{choices}',
    'cannot initialise {name} from A: the layers differ':
        '无法从 A 初始化 {name}：两者的层不同',
    'this initialisation needs the trained {variant} that ships in assets/models; it is missing':
        '这种初始化需要 assets/models 中附带的训练好的 {variant}；它缺失了',
    'only the mini variants train here (on 64×64 shapes), not {variant}; try {mini}':
        '这里只能训练 mini 变体（在 64×64 的形状上），不能训练 {variant}；请试试 {mini}',
    '{variant} diverged (the loss became NaN) in epoch {epoch}; lower the learning rate':
        '{variant} 发散了（损失变成了 NaN），在第 {epoch} 轮；请降低学习率',
    'Depth: A vs B vs D vs E':
        '深度：A vs B vs D vs E',
    'Does a deeper network learn shapes better, on the same data and budget?':
        '在同样的数据和预算下，更深的网络能更好地学会形状吗？',
    '3×3 stacks vs one big kernel':
        '3×3 堆叠 vs 一个大卷积核',
    'Is a stack of 3×3 convolutions better than one larger convolution that sees as far?':
        '一叠 3×3 卷积比一个看得同样远的更大卷积更好吗？',
    'Why the paper initialised from A':
        '论文为什么从 A 初始化',
    '1×1 convs (C) and LRN (A-LRN)':
        '1×1 卷积（C）与 LRN（A-LRN）',
    'Do LRN and 1×1 convolutions help?':
        'LRN 和 1×1 卷积有帮助吗？',
    'A (11 layers)':
        'A（11 层）',
    'B: pairs of 3×3':
        'B：成对的 3×3',
    'B-5×5: one 5×5 each':
        'B-5×5：每对换成一个 5×5',
    'D: 3×3 stacks':
        'D：3×3 堆叠',
    'D-7×7: one 5×5/7×7 each':
        'D-7×7：每组换成一个 5×5/7×7',
    'D from trained A':
        '从训练好的 A 开始的 D',
    "⚠️ The training run this page was following is gone: the server was restarted, and runs live only in its memory. Start it again above.":
        "⚠️ 本页跟踪的训练任务已不存在：服务器重启过，而训练任务只保存在服务器内存中。请在上方重新开始。",
    "⚠️ The {n} training runs this page was following are gone: the server was restarted, and runs live only in its memory. Start them again above.":
        "⚠️ 本页跟踪的 {n} 个训练任务已不存在：服务器重启过，而训练任务只保存在服务器内存中。请在上方重新开始。",
    # --- the lab's experiments (vggviz/lab/experiments.py), their figures and the Train page
    "**Run it live**: one seed of every arm ({n} runs) on the same budget, drawn beside the reference when it is done. Seeds {first}–{last} are the reference's own (on a CPU like the one that made it they repeat it exactly); any other seed is new.":
        '**现场运行**：每个分支各训练一个种子（共 {n} 次运行），预算相同，完成后画在参考结果旁边。种子 {first}–{last} 就是参考结果自己的种子（在与生成参考结果相同的 CPU 上会完全重现）；其他种子都是新的。',
    '**Verdicts** (from the 95 % interval of the paired difference, better − worse, where *better* is the arm the paper found better):':
        '**结论**（由配对差值“较好 − 较差”的 95 % 区间得出，*较好*指论文中表现更好的那个分支）：',
    '**What it takes for these effects to show, says the literature:** {needs}':
        '**文献认为，要让这些效应显现需要什么：** {needs}',
    '**{better} − {worse}**: {diff:+.2f} points ({interval}; {better} ahead in {wins} of {n} seeds) — **{said}**. {paper}.':
        '**{better} − {worse}**：{diff:+.2f} 个百分点（{interval}；{n} 个种子中 {better} 领先 {wins} 个）—— **{said}**。{paper}。',
    '**{run}**: {accuracy:.1f} % held-out accuracy after {epochs} epochs (the final, annealed weights are kept)':
        '**{run}**：{epochs} 轮后验证准确率 {accuracy:.1f} %（保留的是学习率退火到零后的最终权重）',
    '95 % interval':
        '95 % 区间',
    '95 % interval {lo:+.2f} to {hi:+.2f}':
        '95 % 区间 {lo:+.2f} 到 {hi:+.2f}',
    'B (13 layers)':
        'B（13 层）',
    'Batch norm (came after the paper)':
        '批归一化（论文之后才出现）',
    'C (1×1)':
        'C（1×1）',
    'Can a 16-layer plain network (no batch norm) start from small random weights, and what rescues it?':
        '一个 16 层的普通网络（没有批归一化）能从很小的随机权重开始训练吗？什么能挽救它？',
    'D (16 layers)':
        'D（16 层）',
    'Depth pays where the task does not saturate and the data are plenty: on ImageNet A→D is 2.6 points of top-1 and E no better than D; full-width VGG with batch norm on CIFAR-10 gives 92.4 / 94.2 / 94.0 / 94.0 % for 11/13/16/19 layers (A worse, the rest tie); plain nets degrade past ~20 layers even with batch norm and He init (He et al. 2016). It takes a task hard enough to leave headroom, and enough steps for the deeper nets to converge.':
        '深度只在任务没有饱和、数据充足时才有回报：在 ImageNet 上 A→D 的 top-1 只差 2.6 个百分点，E 也不比 D 好；全宽度带批归一化的 VGG 在 CIFAR-10 上 11/13/16/19 层分别为 92.4 / 94.2 / 94.0 / 94.0 %（A 较差，其余持平）；普通网络超过约 20 层后即使有批归一化和 He 初始化也会退化（He 等，2016）。需要一个难到留有余地的任务，以及足够让更深网络收敛的步数。',
    'E (19 layers)':
        'E（19 层）',
    'D, Glorot init':
        'D，Glorot 初始化',
    'D, He init':
        'D，He 初始化',
    'D, N(0, 0.01)':
        'D，N(0, 0.01)',
    'Experiments':
        '实验',
    'Glorot (Xavier)':
        'Glorot（Xavier）',
    "He / Kaiming (torchvision's default)":
        'He / Kaiming（torchvision 的默认值）',
    'ImageNet (ILSVRC-2012: {images} M images, {classes} classes), {epochs} epochs':
        'ImageNet（ILSVRC-2012：{images} M 张图像，{classes} 个类别），{epochs} 轮',
    'No reference result ships for this experiment (assets/experiments/{key}.json is missing); run it live, or regenerate them all with `bash assets/experiments/make.sh`.':
        '这个实验没有随应用提供参考结果（缺少 assets/experiments/{key}.json）；可以现场运行，或用 `bash assets/experiments/make.sh` 重新生成全部参考结果。',
    'Of the final weights, on {n} images never trained on':
        '最终权重在 {n} 张从未训练过的图像上的结果',
    'On ImageNet these effects are small: LRN ±0.1 point, C about 0.6 point better than B and 1.1 worse than D. Gaps of a point need many seeds and a large held-out set to resolve (its own noise here is about ±0.5 point); at small scale they are expected to stay unresolved.':
        '在 ImageNet 上这些效应都很小：LRN ±0.1 个百分点，C 比 B 好约 0.6，比 D 差 1.1。一个百分点的差距需要很多种子和很大的验证集才能分辨（这里验证集自身的噪声约 ±0.5 个百分点）；在小规模下，它们预计仍无法分辨。',
    'Peak learning rate':
        '峰值学习率',
    'Reference: {n} seeds per arm (seeds {first}–{last}, paired: seed s of every arm sees the same batches in the same order), each arm {steps} steps of {batch} images ({epochs} epochs of {train} training images), learning rate warmed up to {lr} then annealed to zero; final accuracy on {val} held-out images. Measured on a CPU ({threads} torch thread per run).':
        '参考结果：每个分支 {n} 个种子（种子 {first}–{last}，配对：每个分支的种子 s 以相同顺序看到相同的批次），每个分支训练 {steps} 步、每步 {batch} 张图像（{train} 张训练图像上 {epochs} 轮），学习率先预热到 {lr}，再退火到零；最终准确率在 {val} 张验证图像上测得。在 CPU 上测量（每次运行 {threads} 个 torch 线程）。',
    'Sect. 3.1 gives no number':
        '第 3.1 节没有给出数字',
    'Sect. 4.1, centre crop: top-1 error {gap} points higher with one 5×5':
        '第 4.1 节，中心裁剪：换成单个 5×5 后 top-1 错误率高 {gap} 个百分点',
    "Seed {seed} is one of the reference's: {same} of {n} finished arms repeated the reference's accuracy exactly.":
        '种子 {seed} 是参考结果的种子之一：已完成的 {n} 个分支中有 {same} 个完全重现了参考准确率。',
    'Table 3, S = 256: {better} {b} %, {worse} {w} % top-1 error':
        '表 3，S = 256：{better} {b} %，{worse} {w} % top-1 错误率',
    "The lab's recipe is the default: SGD, momentum {momentum}, weight decay {weight_decay:g}, batch {batch}, batch norm and He initialisation, no dropout (the paper's 0.5 on fc6/fc7 keeps these 256-wide layers from learning within the lab's budget); the learning rate warms up to {lr:g} over the first {warmup} % of the steps, then falls to zero on a half cosine, so every run ends annealed.":
        '默认使用实验室的训练方案：SGD，动量 {momentum}，权重衰减 {weight_decay:g}，批大小 {batch}，批归一化和 He 初始化，不用 dropout（论文在 fc6/fc7 上用的 0.5 会让这些只有 256 宽的层在实验室的预算内学不动）；学习率在前 {warmup} % 的步数内预热到 {lr:g}，然后按半个余弦降到零，所以每次运行结束时都已退火。',
    "The paper gives no number, only 'bad initialisation can stall learning due to the instability of gradient in deep nets'. The stall shows at any scale in plain (no batch norm) deep nets; scaled initialisations (Glorot 2010, He 2015) or batch norm remove it. Copying A's layers into N(0, 0.01) ones rescues D only if the signal still passes the small random layers in between.":
        '论文没有给出数字，只说“由于深层网络中梯度的不稳定，糟糕的初始化会使学习停滞”。在普通（没有批归一化）的深层网络中，任何规模下都能看到这种停滞；按层缩放的初始化（Glorot 2010、He 2015）或批归一化可以消除它。把 A 的层复制进 N(0, 0.01) 的网络，只有在信号仍能穿过中间那些很小的随机层时才能挽救 D。',
    "The paper's 7-point gap was on ImageNet, where capacity is scarce against the task. With plenty of easy data the parameter argument disappears; the robust lesson is 'the same receptive field for about 28 % fewer parameters, and not worse'. A gap needs a task that does not saturate and a budget where the bigger kernels' extra parameters cannot make up for the missing non-linearities.":
        '论文中 7 个百分点的差距出现在 ImageNet 上，那里相对于任务来说容量是稀缺的。数据充足且简单时，参数量的论点就消失了；可靠的结论是“相同的感受野，参数少约 28 %，而且不会更差”。要出现差距，需要一个不饱和的任务，以及一个大卷积核多出的参数无法弥补缺少的非线性的预算。',
    'The shapes lab measures the same question on the mini VGGs (*Train it yourself* → “{title}”, {seeds} paired seeds per arm): {verdicts}.':
        '形状实验室在迷你 VGG 上测量了同一个问题（*亲手训练* → “{title}”，每个分支 {seeds} 个配对种子）：{verdicts}。',
    "Train the mini VGGs on the shapes data yourself and test the paper's claims: does depth help, are 3×3 stacks better than one big kernel, why did the authors initialise their deeper nets from A? Each experiment below shows its reference result at once (every arm trained over several seeds on the same data and budget); run it live to add your class's own seed beside it.":
        '亲手在形状数据上训练迷你 VGG，检验论文的论断：深度有帮助吗？3×3 堆叠比一个大卷积核更好吗？作者为什么用 A 来初始化更深的网络？下面每个实验都会立即显示其参考结果（每个分支在相同数据和预算上用多个种子训练）；现场运行可以在旁边加上你们班自己的种子。',
    'Your seed':
        '你的种子',
    'arm':
        '分支',
    'better − worse (accuracy points, 95 % interval)':
        '较好 − 较差（准确率百分点，95 % 区间）',
    'chance (1 in {n})':
        '随机猜测（{n} 选 1）',
    'comparison':
        '比较',
    'difference (points)':
        '差值（百分点）',
    'epoch (the last: the final, annealed model)':
        '轮次（最后一轮：退火后的最终模型）',
    'final accuracy (mean ± sd)':
        '最终准确率（均值 ± 标准差）',
    'init':
        '初始化',
    'learning rate must be in (0, 10), warm-up in [0, 1) and dropout in [0, 1)':
        '学习率必须在 (0, 10) 内，预热比例在 [0, 1) 内，dropout 在 [0, 1) 内',
    "not in the paper: the lab's own control":
        '论文中没有：实验室自己的对照',
    'not resolved':
        '无法分辨',
    'not resolved: the interval holds 0, so these seeds cannot tell {better} from {worse}':
        '无法分辨：区间包含 0，这些种子分不出 {better} 和 {worse} 的高下',
    'one seed, so no interval':
        '只有一个种子，所以没有区间',
    'reproduced':
        '已复现',
    'reproduced: {better} beat {worse} as in the paper':
        '已复现：与论文一致，{better} 胜过 {worse}',
    'reversed':
        '相反',
    'reversed: {worse} beat {better}, against the paper':
        '相反：{worse} 胜过 {better}，与论文相反',
    'seeds (lowest – highest)':
        '各种子（最低 – 最高）',
    'the paper (ImageNet, top-1 error points)':
        '论文（ImageNet，top-1 错误率百分点）',
    'the paper (top-1 error points)':
        '论文（top-1 错误率百分点）',
    'the paper: {effect:+.1f} points of top-1 error ({source}), at {scale}':
        '论文：top-1 错误率相差 {effect:+.1f} 个百分点（{source}），规模为 {scale}',
    'the paper: {source}; its scale: {scale}':
        '论文：{source}；其规模：{scale}',
    'verdict':
        '结论',
    'wins':
        '胜出次数',
    'your seed':
        '你的种子',
    '{arm}, your seed {seed}':
        '{arm}，你的种子 {seed}',
    '{arm}, your seed<br>epoch %{{x}}: %{{y:.1f}} %<extra></extra>':
        '{arm}，你的种子<br>第 %{{x}} 轮：%{{y:.1f}} %<extra></extra>',
    '{arm}<br>epoch %{{x}}: mean %{{y:.1f}} % over {n} seeds<extra></extra>':
        '{arm}<br>第 %{{x}} 轮：{n} 个种子的均值 %{{y:.1f}} %<extra></extra>',
    '{better} − {worse}':
        '{better} − {worse}',
    '{better} − {worse}: {diff} points, {verdict}':
        '{better} − {worse}：{diff} 个百分点，{verdict}',
    '{experiment}, your seed {seed}':
        '{experiment}，你的种子 {seed}',
    '{name}: %{{x:+.2f}} points ({verdict})<extra></extra>':
        '{name}：%{{x:+.2f}} 个百分点（{verdict}）<extra></extra>',
    '{wins} of {n}':
        '{n} 次中 {wins} 次',
    '— (one seed)':
        '—（只有一个种子）',
    '⏱️ **Training budget.** Runs go through one queue for the whole server, {workers} at a time, in arrival order (now: {running} running, {queued} waiting). Identical runs are shared: if a classmate already started the same run, you watch theirs. Device: **{device}**.':
        '⏱️ **训练预算。** 整个服务器的训练都经过同一个队列，每次 {workers} 个，按到达顺序（现在：{running} 个在运行，{queued} 个在等待）。相同的运行会共享：如果同学已经启动了相同的运行，你看到的就是那一次。设备：**{device}**。',
    '▶️ Run it live':
        '▶️ 现场运行',
}
